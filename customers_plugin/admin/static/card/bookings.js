// The bookings tab: upcoming or past bookings, their form answers, and "paid in person".
import { bdi, clear, h } from "../dom.js";
import { formatDate, formatMoney, t } from "../i18n.js";
import { WRITE } from "../permissions.js";
import { pagedList } from "./paged.js";

export async function render(panel, context) {
  const { api, path, can } = context;
  const box = h("div");
  const choices = [["upcoming", t("Upcoming")], ["past", t("Past")]];
  let when = "upcoming";
  const switcher = h("div", { class: "actions", role: "group", "aria-label": t("Bookings") }, choices.map(([value, label]) =>
    h("button", { type: "button", class: "secondary", "aria-pressed": String(value === when), dataset: { when: value }, onclick: () => show(value) }, label)));

  function item(b) {
    const answers = Object.entries(b.form_answers || {});
    const paid = b.payment_status === "paid";
    return [
      h("strong", {}, bdi(b.service || t("Booking"))), " · ", formatDate(b.starts_at, true),
      b.staff ? [" · ", bdi(b.staff)] : null, " · ", formatMoney(b.price, b.currency), " · ",
      h("span", { class: "chip" }, b.status), b.payment_status ? [" ", h("span", { class: "chip" }, b.payment_status)] : null,
      answers.length ? h("dl", { class: "facts" }, answers.map(([q, a]) => [h("dt", {}, bdi(q)), h("dd", {}, bdi(String(a)))])) : null,
      can(WRITE) && !paid ? h("div", {}, h("button", { type: "button", class: "secondary", onclick: async () => {
        try { await api.post(`${path}/bookings/${b.id}/paid-in-person`); await show(when); } catch (error) { context.toast(error.message, "error"); }
      } }, t("Mark paid in person"))) : null,
    ];
  }

  async function show(value) {
    when = value;
    for (const button of switcher.children) button.setAttribute("aria-pressed", String(button.dataset.when === when));
    await pagedList(box, { fetch: (cursor) => api.get(path + "/bookings", { when, cursor, limit: 20 }), empty: t("No bookings."), item });
  }
  clear(panel, switcher, box);
  await show(when);
}
