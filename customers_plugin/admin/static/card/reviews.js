// The reviews tab: review requests sent or planned for this customer (and sending one is the
// card's "Send review request" action). Reviews themselves show as counts on the overview.
import { h } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { pagedList } from "./paged.js";

export async function render(panel, { api, path, customer }) {
  const summary = h("p", {}, t("{count} reviews, average rating {rating}", {
    count: formatNumber(customer.reviews_count || 0), rating: customer.avg_rating ? formatNumber(customer.avg_rating) : "–",
  }));
  const box = h("div");
  panel.replaceChildren(summary, h("h2", {}, t("Review requests")), box);
  await pagedList(box, {
    fetch: (cursor) => api.get(path + "/review-requests", { cursor, limit: 20 }),
    empty: t("No review requests yet."),
    item: (r) => [h("span", { class: "chip" }, r.status), " ", r.trigger, r.channel ? " · " + r.channel : "",
      " · ", formatDate(r.created_at || r.scheduled_for || r.sent_at, true), r.error ? h("div", { class: "muted" }, r.error) : null],
  });
}
