// The wishlist tab: what the customer saved, with the price when it was added, and "Send with
// discount" (a product coupon the host issues: POST …/wishlist/{id}/gift).
import { bdi, dialog, field, h } from "../dom.js";
import { formatDate, formatMoney, t } from "../i18n.js";
import { COUPONS } from "../permissions.js";
import { pagedList } from "./paged.js";

async function gift(context, item) {
  const answer = await dialog({
    title: t("Send with discount"),
    body: [
      h("p", {}, bdi(item.name)),
      h("div", { class: "row" },
        field(t("Discount"), h("select", { name: "kind" }, h("option", { value: "percent" }, t("Percent")), h("option", { value: "amount" }, t("Amount")))),
        field(t("Value"), h("input", { name: "value", type: "number", min: "0.01", step: "0.01", required: true, inputmode: "decimal" }))),
    ],
    submit: t("Send"), cancel: t("Cancel"),
  });
  if (!answer) return;
  const discount = { kind: answer.get("kind"), value: Number(answer.get("value")).toFixed(2) };
  if (discount.kind === "amount" && item.currency) discount.currency = item.currency;
  try {
    const coupon = await context.api.post(`${context.path}/wishlist/${item.id}/gift`, { discount });
    context.toast(t("Coupon {code} was sent.", { code: coupon.code }));
  } catch (failure) {
    context.toast(failure.message, "error");
  }
}

export async function render(panel, context) {
  const { api, path, can } = context;
  await pagedList(panel, {
    fetch: (cursor) => api.get(path + "/wishlist", { cursor, limit: 20 }),
    empty: t("The wishlist is empty."),
    item: (w) => [h("strong", {}, bdi(w.name)), " · ", formatMoney(w.price, w.currency), " · ", h("span", { class: "muted" }, formatDate(w.added_at)),
      can(COUPONS) ? [" ", h("button", { type: "button", class: "link", onclick: () => gift(context, w) }, t("Send with discount"))] : null],
  });
}
