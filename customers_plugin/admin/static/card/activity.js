// The activity tab: what happened to the customer, newest first, and who did it.
import { bdi, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { pagedList } from "./paged.js";

export async function render(panel, { api, path }) {
  await pagedList(panel, {
    fetch: (cursor) => api.get(path + "/activity", { cursor, limit: 30 }),
    empty: t("Nothing yet."),
    item: (a) => [h("strong", {}, a.kind.replaceAll("_", " ")), a.actor ? [" · ", bdi(a.actor)] : null, " · ", h("span", { class: "muted" }, formatDate(a.occurred_at, true))],
  });
}
