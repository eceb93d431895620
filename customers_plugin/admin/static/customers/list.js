// The customer list: status tabs, search, every filter of GET /customers, sorting by the
// column headers, keyset pages ("Next page": no count of the whole store), selection of rows
// or of everything that matches, and the bulk actions. Its state lives in the address, so a
// reload, a shared link or the browser's Back shows the same list. One API call per action.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { countryName, formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { DELETE, GROUPS, MESSAGE, WRITE } from "../permissions.js";
import { messageBody, messageControls } from "../card/messages.js";

const PAGE_SIZE = 50;
const STATUSES = ["active", "inactive", "blocked"];
const CONSENT = ["subscribed", "unsubscribed", "pending", "not_set"];
// address parameter -> how GET /customers and a bulk filter take it
const FILTERS = [
  "tag", "group", "source", "country", "marketing_consent", "system_notifications",
  "spent_min", "spent_max", "orders_min", "orders_max", "joined_from", "joined_to", "field",
];
const LISTS = new Set(["tag", "group", "source", "country", "marketing_consent", "field"]);

export function columns() {
  return [
    { key: "name", label: t("Name"), sort: "name" },
    { key: "email", label: t("Email"), sort: "email" },
    { key: "phone", label: t("Phone"), sort: "phone" },
    { key: "country", label: t("Country"), sort: "country" },
    { key: "sources", label: t("Sources") },
    { key: "tags", label: t("Tags") },
    { key: "joined_at", label: t("Joined"), sort: "joined_at" },
    { key: "marketing_consent", label: t("Marketing"), sort: "marketing_consent" },
    { key: "system_notifications", label: t("Notifications"), sort: "system_notifications" },
    { key: "orders_count", label: t("Orders"), sort: "orders_count", num: true },
    { key: "total_spent", label: t("Total spent"), sort: "total_spent", num: true },
    { key: "status", label: t("Status"), sort: "status" },
  ];
}

export function statusLabel(status) {
  return { active: t("Active"), inactive: t("Inactive"), blocked: t("Blocked") }[status] || status;
}

export function consentLabel(status) {
  return {
    subscribed: t("Subscribed"), unsubscribed: t("Unsubscribed"), pending: t("Pending"), not_set: t("Not set"),
  }[status] || status;
}

// The query of GET /customers (and the filter of a bulk action) for the list's state.
export function apiFilter(params) {
  const filter = {};
  const q = params.get("q");
  if (q) filter.q = q;
  filter.status = [params.get("status") || "active"];
  for (const name of FILTERS) {
    const values = params.getAll(name).filter((v) => v !== "");
    if (!values.length) continue;
    let value = values[0];
    if (name === "joined_from") value += "T00:00:00Z";
    if (name === "joined_to") value += "T23:59:59Z";
    if (name === "system_notifications") value = value === "true";
    if (name === "orders_min" || name === "orders_max") value = Number(value);
    filter[name] = LISTS.has(name) ? values : value;
  }
  return filter;
}

function tabQuery(params, status) {
  const query = new URLSearchParams(params);
  query.delete("cursor");
  if (status === "active") query.delete("status");
  else query.set("status", status);
  return String(query);
}

function filterCount(params) {
  return FILTERS.filter((name) => params.getAll(name).some((v) => v !== "")).length;
}

export async function render(view, context) {
  const { api, can, href, remember } = context;
  const params = new URLSearchParams(context.params);
  const selected = new Set();
  let everyMatch = false;
  let page = { items: [], next_cursor: null };

  const tbody = h("tbody");
  const status = h("p", { class: "muted", role: "status" });
  const selection = h("div", { class: "selection", hidden: true, role: "region", "aria-label": t("Selection") });
  const pager = h("div", { class: "pager" });
  const headRow = h("tr");
  const table = h("table", { class: "customers", "aria-label": t("Customers") }, h("thead", {}, headRow), tbody);

  // --- the address is the state ------------------------------------------------------
  function go(changes, { keepCursor = false, push = true } = {}) {
    for (const [key, value] of Object.entries(changes)) {
      params.delete(key);
      for (const v of [].concat(value ?? [])) if (v !== "" && v !== null) params.append(key, v);
    }
    if (!keepCursor) params.delete("cursor");
    remember(params, { replace: !push });
    load();
  }

  // --- tabs, search, filters ------------------------------------------------------------
  const current = params.get("status") || "active";
  const tabs = h("ul", { class: "tabs" }, STATUSES.map((s) =>
    h("li", {}, h("a", {
      href: "?" + tabQuery(params, s),
      "aria-current": s === current ? "page" : null,
    }, statusLabel(s)))));

  const search = h("input", { type: "search", name: "q", dir: "auto", value: params.get("q") || "", placeholder: t("Name, email or phone"), autocomplete: "off", maxlength: "200" });
  const searchForm = h("form", { class: "toolbar", role: "search", onsubmit: (event) => { event.preventDefault(); go({ q: search.value.trim() }); } },
    h("div", { class: "search" }, field(t("Search customers"), search)),
    h("button", { type: "submit" }, t("Search")),
    can(WRITE) ? h("a", { class: "button secondary", href: href("customers", ["new"]) }, t("Add customer")) : null);

  const filters = filtersPanel(context, params, go);

  // --- the table ------------------------------------------------------------------------
  const pageBox = h("input", { type: "checkbox", "aria-label": t("Select every customer on this page"), onchange: () => {
    for (const c of page.items) { if (pageBox.checked) selected.add(c.id); else selected.delete(c.id); }
    everyMatch = false;
    drawRows();
  } });
  function drawHead() {
    const sort = params.get("sort") || "-joined_at";
    clear(headRow, h("th", { scope: "col" }, pageBox), columns().map((col) => {
      const direction = sort === col.sort ? "ascending" : sort === "-" + col.sort ? "descending" : null;
      const label = col.sort
        ? h("button", { type: "button", onclick: () => go({ sort: direction === "ascending" ? "-" + col.sort : col.sort }) },
          col.label, h("span", { class: "arrow", "aria-hidden": "true" }, direction === "ascending" ? "▲" : direction === "descending" ? "▼" : ""))
        : col.label;
      return h("th", { scope: "col", class: col.num ? "num" : null, "aria-sort": direction }, label);
    }));
  }

  function cells(c) {
    const open = href("customers", [c.id]);
    return {
      name: h("a", { href: open }, bdi(c.name || c.email || c.phone || t("(no name)"))),
      email: c.email ? bdi(c.email, { dir: "ltr" }) : "",
      phone: c.phone ? bdi(c.phone, { dir: "ltr" }) : "",
      country: c.country ? h("span", { title: countryName(c.country) }, c.country) : "",
      sources: h("span", { class: "chips" }, (c.sources || []).map((s) => h("span", { class: "chip" }, s))),
      tags: h("span", { class: "chips" }, (c.tags || []).map((tag) => h("span", { class: "chip" }, bdi(tag.name)))),
      joined_at: formatDate(c.joined_at),
      marketing_consent: h("span", { class: "dot " + (c.marketing_consent === "subscribed" ? "on" : "off") }, consentLabel(c.marketing_consent)),
      system_notifications: h("span", { class: "dot " + (c.system_notifications ? "on" : "off") }, c.system_notifications ? t("On") : t("Off")),
      orders_count: formatNumber(c.orders_count),
      total_spent: formatMoney(c.total_spent, c.currency),
      status: c.status === "active" ? "" : h("span", { class: "status " + c.status, title: c.block_reason || null }, statusLabel(c.status)),
    };
  }

  function drawRows() {
    clear(tbody, page.items.map((c) => {
      const box = h("input", { type: "checkbox", checked: everyMatch || selected.has(c.id), disabled: everyMatch, "aria-label": t("Select {name}", { name: c.name || c.email || c.id }), onchange: () => {
        if (box.checked) selected.add(c.id); else selected.delete(c.id);
        drawSelection();
        box.closest("tr").classList.toggle("selected", box.checked);
      } });
      const values = cells(c);
      return h("tr", { class: everyMatch || selected.has(c.id) ? "selected" : null, dataset: { id: c.id } },
        h("td", {}, box),
        columns().map((col) => {
          const cell = h("td", { "data-label": col.key === "name" ? null : col.label }, values[col.key]);
          if (col.key === "name") cell.classList.add("name");
          if (col.num) cell.classList.add("num");
          if (!cell.textContent.trim()) cell.classList.add("empty"); // hidden on a phone
          return cell;
        }));
    }));
    pageBox.checked = page.items.length > 0 && page.items.every((c) => everyMatch || selected.has(c.id));
    drawSelection();
  }

  // --- selection and bulk actions -------------------------------------------------------
  function target() {
    return everyMatch ? { filter: apiFilter(params) } : { ids: [...selected] };
  }

  async function bulk(action, extra = {}, confirmText) {
    if (confirmText) {
      const ok = await dialog({ title: confirmText, body: h("p", {}, t("This cannot be undone.")), submit: t("Delete"), cancel: t("Cancel"), danger: true });
      if (!ok) return;
    }
    try {
      const answer = await api.post("/customers/bulk", { action, ...target(), ...extra });
      context.toast(action === "message"
        ? t("Queued {changed} messages; {skipped} customers skipped (no address or consent).", { changed: answer.changed, skipped: answer.matched - answer.changed })
        : t("Done: {changed} of {matched} customers changed.", { changed: answer.changed, matched: answer.matched }));
      selected.clear();
      everyMatch = false;
      if (action === "tag") lookups.forget("tags");
      load();
    } catch (error) {
      context.toast(error.message, "error");
    }
  }

  async function askTag(action) {
    const input = h("input", { name: "tag", required: true, maxlength: "100", dir: "auto", list: "known-tags", autocomplete: "off" });
    const list = h("datalist", { id: "known-tags" });
    lookups.tags(api).then((items) => clear(list, items.map((tag) => h("option", { value: tag.name })))).catch(() => {});
    const answer = await dialog({ title: action === "tag" ? t("Add a tag") : t("Remove a tag"), body: [field(t("Tag"), input), list], submit: action === "tag" ? t("Add tag") : t("Remove tag"), cancel: t("Cancel") });
    if (answer) bulk(action, { tag: String(answer.get("tag")).trim() });
  }

  async function askGroup(action) {
    const select = h("select", { name: "group_id", required: true }, h("option", { value: "" }, t("Choose a group")));
    lookups.groups(api).then((items) => select.append(...items.map((g) => h("option", { value: g.id }, g.name)))).catch(() => {});
    const answer = await dialog({ title: action === "add_to_group" ? t("Add to a group") : t("Remove from a group"), body: field(t("Group"), select), submit: t("Apply"), cancel: t("Cancel") });
    if (answer) bulk(action, { group_id: answer.get("group_id") });
  }

  async function askMessage() {
    const answer = await dialog({ title: t("Send a message"), body: messageControls(null), submit: t("Send"), cancel: t("Cancel") });
    if (answer) bulk("message", { message: messageBody(answer, null) });
  }

  function drawSelection() {
    const count = selected.size;
    selection.hidden = !count && !everyMatch;
    if (selection.hidden) return;
    const all = page.items.length && page.items.every((c) => selected.has(c.id));
    clear(selection,
      h("strong", {}, everyMatch ? t("Every customer that matches is selected") : t("{count} selected", { count })),
      all && !everyMatch ? h("button", { type: "button", class: "link", onclick: () => { everyMatch = true; drawRows(); } }, t("Select all that match")) : null,
      h("button", { type: "button", class: "link", onclick: () => { selected.clear(); everyMatch = false; drawRows(); } }, t("Clear selection")),
      h("span", { class: "spacer" }),
      can(WRITE) ? [
        h("button", { type: "button", class: "secondary", onclick: () => askTag("tag") }, t("Tag")),
        h("button", { type: "button", class: "secondary", onclick: () => askTag("untag") }, t("Untag")),
        current === "inactive"
          ? h("button", { type: "button", class: "secondary", onclick: () => bulk("activate") }, t("Activate"))
          : current === "active" ? h("button", { type: "button", class: "secondary", onclick: () => bulk("deactivate") }, t("Deactivate")) : null,
      ] : null,
      can(GROUPS) ? [
        h("button", { type: "button", class: "secondary", onclick: () => askGroup("add_to_group") }, t("Add to group")),
        h("button", { type: "button", class: "secondary", onclick: () => askGroup("remove_from_group") }, t("Remove from group")),
      ] : null,
      can(MESSAGE) ? h("button", { type: "button", class: "secondary", onclick: askMessage }, t("Send message")) : null,
      can(DELETE) ? h("button", { type: "button", class: "danger", onclick: () => bulk("delete", {}, t("Delete the selected customers?")) }, t("Delete")) : null);
  }

  // --- loading a page -------------------------------------------------------------------
  let asked = 0;
  async function load() {
    const ticket = ++asked;
    drawHead();
    status.textContent = t("Loading…");
    const query = { ...apiFilter(params), sort: params.get("sort") || "", cursor: params.get("cursor") || "", limit: PAGE_SIZE };
    try {
      const answer = await api.get("/customers", query);
      if (ticket !== asked || context.stale()) return;
      page = answer;
      drawRows();
      status.textContent = page.items.length ? "" : t("No customers match.");
      drawPager();
    } catch (error) {
      if (ticket !== asked) return;
      page = { items: [], next_cursor: null };
      drawRows();
      drawPager();
      status.textContent = error.message;
    }
  }

  function drawPager() {
    clear(pager,
      params.get("cursor") ? h("button", { type: "button", class: "secondary", onclick: () => go({}) }, t("First page")) : null,
      page.next_cursor ? h("button", { type: "button", class: "secondary", onclick: () => go({ cursor: page.next_cursor }, { keepCursor: true }) }, t("Next page")) : null);
  }

  clear(view,
    h("h1", {}, t("Customers")),
    h("nav", { "aria-label": t("Status") }, tabs), searchForm, filters, selection,
    h("div", { class: "table-wrap" }, table),
    status, pager);
  await load();
}

// The filter panel: every filter of GET /customers, applied together, with a reset.
function filtersPanel(context, params, go) {
  const { api } = context;
  const value = (name) => params.get(name) || "";
  const input = (name, attrs = {}) => h("input", { name, value: value(name), ...attrs });
  const tag = input("tag", { dir: "auto", list: "filter-tags", maxlength: "100", autocomplete: "off" });
  const tagList = h("datalist", { id: "filter-tags" });
  const group = h("select", { name: "group" }, h("option", { value: "" }, t("Any")));
  const consent = h("select", { name: "marketing_consent" }, h("option", { value: "" }, t("Any")),
    CONSENT.map((c) => h("option", { value: c, selected: value("marketing_consent") === c }, consentLabel(c))));
  const notifications = h("select", { name: "system_notifications" }, h("option", { value: "" }, t("Any")),
    h("option", { value: "true", selected: value("system_notifications") === "true" }, t("On")),
    h("option", { value: "false", selected: value("system_notifications") === "false" }, t("Off")));
  const [fieldKey, fieldValue] = (params.get("field") || ":").split(/:(.*)/s);
  const customKey = h("select", { name: "field_key" }, h("option", { value: "" }, t("Any")));
  const customValue = h("input", { name: "field_value", value: fieldValue || "", dir: "auto", maxlength: "200" });
  let loaded = false;
  async function fill() {
    if (loaded) return;
    loaded = true;
    const [tags, groups, fields] = await Promise.allSettled([lookups.tags(api), lookups.groups(api), lookups.fields(api)]);
    if (tags.status === "fulfilled") tagList.append(...tags.value.map((x) => h("option", { value: x.name })));
    if (groups.status === "fulfilled") group.append(...groups.value.map((g) => h("option", { value: g.id, selected: value("group") === g.id }, g.name)));
    if (fields.status === "fulfilled") customKey.append(...fields.value.map((f) => h("option", { value: f.key, selected: fieldKey === f.key }, f.label)));
  }
  const form = h("form", { onsubmit: (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const changes = {};
    for (const name of FILTERS) if (name !== "field") changes[name] = String(data.get(name) || "").trim();
    changes.country = changes.country.toUpperCase();
    const key = data.get("field_key");
    const wanted = String(data.get("field_value") || "").trim();
    changes.field = key && wanted ? `${key}:${wanted}` : "";
    go(changes);
  } },
  h("div", { class: "filter-grid" },
    field(t("Tag"), tag), tagList,
    field(t("Group"), group),
    field(t("Source"), input("source", { maxlength: "32", placeholder: "store, booking, forms…" })),
    field(t("Country"), input("country", { maxlength: "2", pattern: "[A-Za-z]{2}", placeholder: "SA", dir: "ltr" })),
    field(t("Marketing"), consent),
    field(t("Notifications"), notifications),
    field(t("Spent at least"), input("spent_min", { type: "number", min: "0", step: "0.01", inputmode: "decimal" })),
    field(t("Spent at most"), input("spent_max", { type: "number", min: "0", step: "0.01", inputmode: "decimal" })),
    field(t("Orders at least"), input("orders_min", { type: "number", min: "0", step: "1" })),
    field(t("Orders at most"), input("orders_max", { type: "number", min: "0", step: "1" })),
    field(t("Joined from"), input("joined_from", { type: "date" })),
    field(t("Joined until"), input("joined_to", { type: "date" })),
    field(t("Custom field"), customKey),
    field(t("Field value"), customValue)),
  h("div", { class: "actions" },
    h("button", { type: "submit" }, t("Apply filters")),
    h("button", { type: "button", class: "secondary", onclick: () => {
      const kept = new URLSearchParams();
      for (const name of ["status", "sort"]) if (params.get(name)) kept.set(name, params.get(name));
      context.navigate(window.location.pathname + (String(kept) ? "?" + kept : ""));
    } }, t("Reset"))));
  const active = filterCount(params);
  const panel = h("details", { class: "filters", open: active > 0, ontoggle: () => { if (panel.open) fill(); } },
    h("summary", {}, active ? t("Filters ({count})", { count: active }) : t("Filters")), form);
  if (active) fill();
  return panel;
}
