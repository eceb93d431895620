// The orders tab: the customer's orders mirrored from the host, newest first, with totals.
import { bdi, h } from "../dom.js";
import { formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import { pagedList } from "./paged.js";

export async function render(panel, { api, path }) {
  const totals = h("p", { class: "muted" });
  const box = h("div");
  panel.replaceChildren(totals, box);
  const first = await pagedList(box, {
    fetch: (cursor) => api.get(path + "/orders", { cursor, limit: 20 }),
    empty: t("No orders yet."),
    item: (o) => [
      h("strong", {}, bdi("#" + o.external_id, { dir: "ltr" })), " · ", formatDate(o.placed_at, true), " · ",
      formatMoney(o.total, o.currency), " · ", h("span", { class: "chip" }, o.status),
      o.payment_status ? [" ", h("span", { class: "chip" }, o.payment_status)] : null,
      (o.items || []).length ? h("div", { class: "muted" }, o.items.map((i) => bdi(`${i.name || i.product_id || ""} × ${i.quantity ?? 1}`)).flatMap((x, n) => (n ? [", ", x] : [x]))) : null,
    ],
  });
  const sums = first.totals;
  if (sums) {
    totals.textContent = t("{orders} orders, {spent} spent, {cancelled} cancelled", {
      orders: formatNumber(sums.orders_count), spent: formatMoney(sums.total_spent, sums.currency), cancelled: formatNumber(sums.cancelled_orders_count),
    });
  }
}
