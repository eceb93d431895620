// A group's members, newest first in pages ("More"), each with why they are in it (added by
// hand, or each condition with the customer's value); staff with groups.manage add customers
// by hand (found by name, email or phone) and take them out.
import { bdi, clear, field, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { GROUPS } from "../permissions.js";
import { showError } from "../work.js";
import { opLabel, showValue } from "./conditions.js";

const PAGE = 50;

function why(entry, labels, kinds) {
  if (!entry) return h("p", { class: "muted" }, t("Not a member any more."));
  const lines = [];
  if (entry.manual) lines.push(h("li", {}, t("Added by hand")));
  for (const c of entry.conditions || []) {
    lines.push(h("li", { class: c.matched ? "yes" : "no" },
      c.matched ? "✓ " : "✗ ",
      labels[c.field] || c.field, " ", opLabel(c.op), " ", showValue(kinds[c.field], c.value), " — ",
      t("this customer:"), " ",
      c.customer_value === null || c.customer_value === undefined ? t("no value") : showValue(kinds[c.field], c.customer_value)));
  }
  if (entry.conditions?.length) {
    lines.unshift(h("li", {}, entry.match === "any" ? t("Matches when any condition holds:") : t("Matches when every condition holds:")));
  }
  return h("ul", { class: "why" }, lines);
}

export async function renderMembers(section, context, group, types) {
  const { api, can, href } = context;
  const editable = can(GROUPS);
  const labels = Object.fromEntries(types.map((x) => [x.field, x.label]));
  const kinds = Object.fromEntries(types.map((x) => [x.field, x.value_type]));
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("More"));
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  let cursor = null;

  function row(member) {
    const explain = h("div", { class: "explain" });
    const tr = h("tr", { dataset: { id: member.id } },
      h("td", { "data-label": t("Name"), class: "name" },
        h("a", { href: href("customers", [member.id]) }, bdi(member.name || member.email || member.phone || "—")), explain),
      h("td", { "data-label": t("Email") }, bdi(member.email || "", { dir: "ltr" })),
      h("td", { "data-label": t("How") }, member.manual ? t("By hand") : t("By conditions")),
      h("td", { "data-label": t("Since") }, formatDate(member.added_at)),
      h("td", { "data-label": t("Actions") }, h("div", { class: "actions" },
        h("button", { type: "button", class: "link", "aria-expanded": "false", onclick: async (event) => {
          const button = event.currentTarget;
          if (button.getAttribute("aria-expanded") === "true") {
            button.setAttribute("aria-expanded", "false");
            clear(explain);
            return;
          }
          const answer = await api.get(`/customers/${member.id}/groups`);
          clear(explain, why(answer.items.find((g) => g.group_id === group.id), labels, kinds));
          button.setAttribute("aria-expanded", "true");
        } }, t("Why?")),
        editable ? h("button", { type: "button", class: "secondary", onclick: async () => {
          try {
            const answer = await api.post(`/groups/${group.id}/members/remove`, { ids: [member.id] });
            if (answer.kept_matching) context.toast(t("Kept in the group: the customer matches its conditions."));
            else { tr.remove(); context.toast(t("Taken out of the group.")); }
          } catch (error) {
            showError(errors, error);
          }
        } }, t("Take out")) : null)));
    return tr;
  }

  async function load(reset) {
    const answer = await api.get(`/groups/${group.id}/members`, { limit: PAGE, cursor: reset ? null : cursor });
    if (context.stale()) return;
    if (reset) tbody.replaceChildren();
    tbody.append(...answer.items.map(row));
    cursor = answer.next_cursor;
    more.hidden = !cursor;
    empty.hidden = tbody.children.length > 0;
  }
  more.addEventListener("click", () => load(false));

  const found = h("ul", { class: "items", "aria-label": t("Customers found") });
  const search = h("input", { type: "search", dir: "auto", maxlength: "200", autocomplete: "off" });
  const adder = editable ? h("form", { class: "inline-form", onsubmit: async (event) => {
    event.preventDefault();
    const answer = await api.get("/customers", { q: search.value.trim(), limit: 10 });
    clear(found, answer.items.length ? answer.items.map((c) => h("li", { class: "inline-form" },
      bdi(c.name || c.email || c.phone), " ", bdi(c.email || "", { dir: "ltr", class: "muted" }), " ",
      h("button", { type: "button", class: "secondary", onclick: async (e) => {
        const button = e.currentTarget;
        try {
          button.disabled = true;
          await api.post(`/groups/${group.id}/members`, { ids: [c.id] });
          context.toast(t("Added to the group."));
          await load(true);
        } catch (error) {
          button.disabled = false;
          showError(errors, error);
        }
      } }, t("Add to the group")))) : h("li", { class: "muted" }, t("No customer found.")));
  } }, field(t("Add a customer by hand"), search), h("button", { type: "submit", class: "secondary" }, t("Find"))) : null;

  const empty = h("p", { class: "muted" }, t("No members yet."));
  clear(section,
    h("h2", { id: "members-title" }, t("Members")),
    adder, found, errors,
    h("div", { class: "table-wrap" }, h("table", { class: "plain members", "aria-labelledby": "members-title" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("Name")), h("th", { scope: "col" }, t("Email")),
        h("th", { scope: "col" }, t("How")), h("th", { scope: "col" }, t("Since")),
        h("th", { scope: "col" }, h("span", { class: "label" }, t("Actions"))))),
      tbody)),
    empty, more);
  await load(true);
}
