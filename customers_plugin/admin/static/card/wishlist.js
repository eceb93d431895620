// The wishlist tab: what the customer saved, with the price when it was added.
import { bdi, h } from "../dom.js";
import { formatDate, formatMoney, t } from "../i18n.js";
import { pagedList } from "./paged.js";

export async function render(panel, { api, path }) {
  await pagedList(panel, {
    fetch: (cursor) => api.get(path + "/wishlist", { cursor, limit: 20 }),
    empty: t("The wishlist is empty."),
    item: (w) => [h("strong", {}, bdi(w.name)), " · ", formatMoney(w.price, w.currency), " · ", h("span", { class: "muted" }, formatDate(w.added_at))],
  });
}
