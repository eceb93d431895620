// The card's "Place order" dialog: product id and quantity rows, an optional coupon and note;
// the host places the order (POST /customers/{id}/orders); its reference, or its refusal, is
// shown.
import { dialog, field, h } from "../dom.js";
import { t } from "../i18n.js";

function line(n) {
  return h("div", { class: "row order-line" },
    field(t("Product id"), h("input", { name: "product_id", required: n === 0, maxlength: "128", dir: "ltr", autocomplete: "off" })),
    field(t("Quantity"), h("input", { name: "quantity", type: "number", min: "1", max: "999", step: "1", value: "1", inputmode: "numeric" })));
}

export async function placeOrder(context, path) {
  const lines = h("div", {}, line(0));
  const add = h("button", { type: "button", class: "secondary", onclick: () => lines.append(line(lines.children.length)) }, t("Add a line"));
  const answer = await dialog({
    title: t("Place order"),
    body: [
      lines, h("div", { class: "actions" }, add),
      field(t("Coupon code"), h("input", { name: "coupon_code", maxlength: "64", pattern: "[A-Za-z0-9_\\-]+", dir: "ltr", autocomplete: "off" })),
      field(t("Note"), h("textarea", { name: "note", maxlength: "1000", dir: "auto" })),
    ],
    submit: t("Place order"), cancel: t("Cancel"),
  });
  if (!answer) return false;
  const ids = answer.getAll("product_id").map((v) => String(v).trim());
  const quantities = answer.getAll("quantity").map(Number);
  const items = ids.map((product_id, n) => ({ product_id, quantity: quantities[n] || 1 })).filter((i) => i.product_id);
  const body = { items, idempotency_key: crypto.randomUUID() };
  const coupon = String(answer.get("coupon_code") ?? "").trim();
  const note = String(answer.get("note") ?? "").trim();
  if (coupon) body.coupon_code = coupon;
  if (note) body.note = note;
  try {
    const order = await context.api.post(path + "/orders", body);
    context.toast(t("The order was placed: the shop's reference is {reference}.", { reference: order.order_id }));
  } catch (error) {
    context.toast(t("The shop refused the order: {reason}", { reason: error.message }), "error");
    return false;
  }
  return true;
}
