// Duplicates (GET /customers/duplicates): pairs of customers that may be one person, with the
// reason and a score, each linked to both cards; "Merge into …" after a confirmation (POST
// /customers/{id}/merge, customers.merge) and "Undo" while the merge may be undone. Below, for
// staff holding customers.delete, the shoppers' erasure requests (GET /erasure-requests).
import { bdi, clear, dialog, h } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { DELETE, MERGE } from "../permissions.js";
import { showError } from "../work.js";

// Pairs (and requests) a page: the customers a page names are one list request (``id``).
const PAGE = 20;

function reasonLabel(reason) {
  const labels = {
    same_phone: t("Same phone"),
    same_name_email_domain: t("Same name, same email domain"),
  };
  return labels[reason] || reason;
}

// The customers a page names, in one request whatever their status (a merged customer is
// gone: shown by id).
async function people(api, ids) {
  const wanted = [...new Set(ids)];
  const found = new Map(wanted.map((id) => [id, null]));
  if (wanted.length) {
    const answer = await api.get("/customers", {
      id: wanted, status: ["active", "inactive", "blocked"], limit: wanted.length,
    });
    answer.items.forEach((customer) => found.set(customer.id, customer));
  }
  return found;
}

function person(context, found, id) {
  const customer = found.get(id);
  const name = customer ? customer.name || customer.email || customer.phone || id : id;
  return h("div", {}, h("a", { href: context.href("customers", [id]) }, bdi(name)),
    customer && customer.email ? h("div", { class: "muted email" }, bdi(customer.email, { dir: "ltr" })) : null);
}

function nameOf(found, id) {
  const customer = found.get(id);
  return (customer && (customer.name || customer.email)) || id;
}

async function duplicates(context, box) {
  const { api, can, params } = context;
  const cursor = params.get("cursor");
  const answer = await api.get("/customers/duplicates", { cursor, limit: PAGE });
  if (context.stale()) return;
  const found = await people(api, answer.items.flatMap((p) => [p.customer_id, p.other_id]));
  if (context.stale()) return;
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  const done = h("div", { class: "merged", "aria-live": "polite" });

  async function merge(keptId, otherId) {
    const sure = await dialog({
      title: t("Merge {other} into {kept}?", { other: nameOf(found, otherId), kept: nameOf(found, keptId) }),
      body: h("p", {}, t("{kept} is kept and gets the other customer's history, notes, tags, groups and contacts; {other} no longer exists. You may undo it for a while.",
        { kept: nameOf(found, keptId), other: nameOf(found, otherId) })),
      submit: t("Merge"), cancel: t("Cancel"), danger: true,
    });
    if (!sure) return;
    errors.hidden = true;
    try {
      const record = await api.post(`/customers/${keptId}/merge`, { other_id: otherId });
      context.toast(t("The customers were merged."));
      await duplicates(context, box);
      showUndo(record);
    } catch (error) {
      showError(errors, error);
    }
  }

  function showUndo(record) {
    const undo = h("button", { type: "button", class: "secondary", onclick: async () => {
      try {
        await api.post(`/merges/${record.id}/undo`);
        context.toast(t("The merge was undone."));
        await duplicates(context, box);
      } catch (error) {
        showError(errors, error);
      }
    } }, t("Undo"));
    const merged = box.querySelector(".merged");
    clear(merged, h("p", { class: "notice" },
      t("{other} was merged into {kept}.", { other: nameOf(found, record.merged_id), kept: nameOf(found, record.kept_id) }), " ",
      t("You may undo it until {when}.", { when: formatDate(record.undo_until, true) }), " ", undo));
    const left = new Date(record.undo_until).getTime() - Date.now();
    if (left > 0 && left < 2 ** 31) setTimeout(() => { undo.remove(); }, left);
  }

  const merging = can(MERGE);
  // who a "Merge into …" button keeps: the name, and the email too when both have one name
  const keeps = (pair, id) => {
    const same = nameOf(found, pair.customer_id) === nameOf(found, pair.other_id);
    const email = found.get(id)?.email;
    return same && email ? `${nameOf(found, id)} (${email})` : nameOf(found, id);
  };
  const rows = answer.items.map((pair) => h("tr", {},
    h("td", { "data-label": t("Customer") }, person(context, found, pair.customer_id)),
    h("td", { "data-label": t("Possible duplicate") }, person(context, found, pair.other_id)),
    h("td", { "data-label": t("Reason") }, reasonLabel(pair.reason)),
    h("td", { "data-label": t("Score"), class: "num" }, bdi(formatNumber(pair.score))),
    merging ? h("td", { "data-label": t("Actions") }, h("div", { class: "merge-actions" },
      h("button", { type: "button", class: "secondary", onclick: () => merge(pair.customer_id, pair.other_id) },
        t("Merge into {name}", { name: keeps(pair, pair.customer_id) })),
      h("button", { type: "button", class: "secondary", onclick: () => merge(pair.other_id, pair.customer_id) },
        t("Merge into {name}", { name: keeps(pair, pair.other_id) })))) : null));

  const page = (next) => {
    const query = new URLSearchParams(params);
    if (next) query.set("cursor", next); else query.delete("cursor");
    return context.href("duplicates", [], query);
  };
  clear(box,
    errors, done,
    rows.length ? h("div", { class: "table-wrap" }, h("table", { class: "plain duplicates", "aria-label": t("Possible duplicates") },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Customer")), h("th", { scope: "col" }, t("Possible duplicate")),
        h("th", { scope: "col" }, t("Reason")), h("th", { scope: "col", class: "num" }, t("Score")),
        merging ? h("th", { scope: "col" }, t("Actions")) : null)),
      h("tbody", {}, rows))) : h("p", { class: "notice" }, t("No possible duplicates.")),
    h("div", { class: "pager" },
      cursor ? h("a", { class: "button secondary", href: page(null) }, t("First page")) : null,
      answer.next_cursor ? h("a", { class: "button secondary", href: page(answer.next_cursor) }, t("Next page")) : null));
}

async function erasures(context, box, cursor = null) {
  const { api } = context;
  const answer = await api.get("/erasure-requests", { status: "pending", limit: PAGE, cursor });
  if (context.stale()) return;
  const found = await people(api, answer.items.map((r) => r.customer_id));
  if (context.stale()) return;
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  const act = async (request, action) => {
    if (action === "complete") {
      const sure = await dialog({
        title: t("Erase {name}?", { name: nameOf(found, request.customer_id) }),
        body: h("p", {}, t("The customer's personal data is erased. This cannot be undone.")),
        submit: t("Erase"), cancel: t("Cancel"), danger: true,
      });
      if (!sure) return;
    }
    try {
      await api.post(`/erasure-requests/${request.id}/${action}`);
      context.toast(action === "complete" ? t("The customer was erased.") : t("The request was declined."));
      await erasures(context, box);
    } catch (error) {
      showError(errors, error);
    }
  };
  const rows = answer.items.map((request) => h("tr", {},
    h("td", { "data-label": t("Customer") }, person(context, found, request.customer_id)),
    h("td", { "data-label": t("Asked on") }, formatDate(request.requested_at, true)),
    h("td", { "data-label": t("Actions") }, h("div", { class: "merge-actions" },
      h("button", { type: "button", class: "danger", onclick: () => act(request, "complete") }, t("Erase")),
      h("button", { type: "button", class: "secondary", onclick: () => act(request, "decline") }, t("Decline"))))));
  clear(box,
    h("h2", {}, t("Erasure requests")),
    h("p", { class: "muted" }, t("Shoppers who asked to be erased, the longest waiting first.")),
    errors,
    rows.length ? h("div", { class: "table-wrap" }, h("table", { class: "plain erasures", "aria-label": t("Erasure requests") },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Customer")), h("th", { scope: "col" }, t("Asked on")), h("th", { scope: "col" }, t("Actions")))),
      h("tbody", {}, rows))) : h("p", { class: "notice" }, t("No erasure requests waiting.")),
    h("div", { class: "pager" },
      cursor ? h("button", { type: "button", class: "secondary", onclick: () => erasures(context, box) }, t("First page")) : null,
      answer.next_cursor ? h("button", { type: "button", class: "secondary", onclick: () => erasures(context, box, answer.next_cursor) }, t("Next page")) : null));
}

export async function render(view, context) {
  const pairs = h("section", { "aria-label": t("Possible duplicates") });
  const requests = h("section", { class: "erasure-requests" });
  clear(view,
    h("h1", {}, t("Duplicates")),
    h("p", { class: "muted" }, t("Customers who may be one person: merge one into the other, or leave them.")),
    pairs,
    context.can(DELETE) ? requests : null);
  await duplicates(context, pairs);
  if (context.can(DELETE) && !context.stale()) await erasures(context, requests);
}
