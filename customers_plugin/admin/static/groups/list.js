// The store's groups with their member counts (automatic and added by hand), what puts a
// customer in each and its checkout rules. One API call.
import { bdi, clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { GROUPS } from "../permissions.js";
import { count } from "../work.js";
import { describe } from "./conditions.js";

export function rules(group) {
  const parts = [];
  if (group.free_shipping) parts.push(h("span", { class: "badge" }, t("Free shipping")));
  if (group.coupon_codes?.length) {
    parts.push(h("span", { class: "badge" }, t("Coupons"), ": ", group.coupon_codes.map((c, i) => [i ? ", " : "", bdi(c)])));
  }
  if (group.hidden_payment_methods?.length) {
    parts.push(h("span", { class: "badge" }, t("Hidden payment methods"), ": ", group.hidden_payment_methods.map((m, i) => [i ? ", " : "", bdi(m)])));
  }
  return parts.length ? h("span", { class: "chips" }, parts) : h("span", { class: "muted" }, t("None"));
}

export async function render(view, context) {
  const { api, can, href } = context;
  const [answer, types] = await Promise.all([
    api.get("/groups"),
    api.get("/groups/condition-types").then((a) => a.items).catch(() => []),
  ]);
  if (context.stale()) return;
  const labels = Object.fromEntries(types.map((x) => [x.field, x.label]));
  const head = h("tr", {},
    h("th", { scope: "col" }, t("Group")),
    h("th", { scope: "col", class: "num" }, t("Members")),
    h("th", { scope: "col", class: "num" }, t("Added by hand")),
    h("th", { scope: "col" }, t("Conditions")),
    h("th", { scope: "col" }, t("Checkout rules")));
  const body = h("tbody", {}, answer.items.map((group) => h("tr", {},
    h("td", { "data-label": t("Group"), class: "name" },
      group.icon ? [bdi(group.icon), " "] : null,
      h("a", { href: href("groups", [group.id]) }, bdi(group.name)),
      group.failing ? [" ", h("span", { class: "badge bad", title: group.failure_reason || "" }, t("Failing"))] : null),
    h("td", { "data-label": t("Members"), class: "num" }, count(group.members_count)),
    h("td", { "data-label": t("Added by hand"), class: "num" }, count(group.manual_members_count)),
    h("td", { "data-label": t("Conditions") }, describe(group.conditions, labels)),
    h("td", { "data-label": t("Checkout rules") }, rules(group)))));
  clear(view,
    h("div", { class: "toolbar" },
      h("h1", {}, t("Groups")),
      h("span", { class: "spacer" }),
      can(GROUPS) ? h("a", { class: "button", href: href("groups", ["new"]) }, t("New group")) : null),
    answer.items.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "plain groups", "aria-label": t("Groups") }, h("thead", {}, head), body))
      : h("p", { class: "notice" }, t("No groups yet.")));
}
