// The timeline tab: everything about the customer in one feed, newest first, filtered by kind,
// paged with "More" (GET /customers/{id}/timeline).
import { bdi, clear, field, h } from "../dom.js";
import { formatDate, formatMoney, t } from "../i18n.js";
import { channelLabel } from "./messages.js";
import { noteTypeLabel } from "./notes.js";
import { pagedList } from "./paged.js";

function kindLabel(kind) {
  return {
    order: t("Order"), booking: t("Booking"), form: t("Form"), message: t("Message"),
    note: t("Note"), task: t("Task"), activity: t("Activity"),
  }[kind] || kind;
}

function summary(item) {
  const d = item.data || {};
  switch (item.kind) {
    case "order": return [bdi("#" + d.order_id, { dir: "ltr" }), " · ", formatMoney(d.total, d.currency), " · ", h("span", { class: "chip" }, d.status)];
    case "booking": return [bdi(d.service || d.booking_id), " · ", formatDate(d.starts_at, true)];
    case "form": return bdi(d.form_name || d.submission_id);
    case "message": return [d.direction === "in" ? t("From the customer") : t("To the customer"), " · ", channelLabel(d.channel), " · ",
      d.subject ? [h("strong", {}, bdi(d.subject)), " · "] : null, h("span", { dir: "auto" }, d.excerpt)];
    case "note": return [noteTypeLabel(d.type), " · ", h("span", { dir: "auto" }, d.excerpt)];
    case "task": return [bdi(d.title), " · ", h("span", { class: "chip" }, d.status)];
    case "activity": return [h("code", {}, d.event), d.actor ? [" · ", bdi(d.actor)] : null];
    default: return JSON.stringify(d);
  }
}

export async function render(panel, { api, path }) {
  const box = h("div");
  const kind = h("select", { name: "kind", onchange: () => show() },
    h("option", { value: "" }, t("Everything")),
    ["order", "booking", "form", "message", "note", "task", "activity"].map((k) => h("option", { value: k }, kindLabel(k))));
  const show = () => pagedList(box, {
    fetch: (cursor) => api.get(path + "/timeline", { cursor, limit: 20, kind: kind.value }),
    empty: t("Nothing here yet."),
    item: (item) => [h("span", { class: "chip" }, kindLabel(item.kind)), " ", formatDate(item.at, true), " · ", summary(item)],
  });
  clear(panel, h("div", { class: "row" }, field(t("Show"), kind)), box);
  await show();
}
