// Export: the customer list's filter (the same address parameters as the list, so the list's
// "current filter" carries over), the columns to write, or the booking report of a period;
// the export runs as a job and its file downloads when it is ready.
import { bdi, clear, field, h } from "../dom.js";
import { countryName, t } from "../i18n.js";
import { apiFilter, consentLabel, statusLabel } from "../customers/list.js";
import { follow, showError } from "../work.js";

const ENDED = new Set(["done", "failed", "expired"]);
const COLUMN_LABELS = () => ({
  id: t("Id"), email: t("Email"), phone: t("Phone"), name: t("Name"), country: t("Country"),
  language: t("Language"), gender: t("Gender"), birthdate: t("Birthdate"), company: t("Company"),
  position: t("Position"), vat_id: t("VAT id"), marketing_consent: t("Marketing"), status: t("Status"),
  joined_at: t("Joined"), orders_count: t("Orders"), total_spent: t("Total spent"),
  last_order_at: t("Last order"), bookings_count: t("Bookings"), tags: t("Tags"), sources: t("Sources"),
  bookings_in_range: t("Bookings in the period"), last_booking_in_range: t("Last booking in the period"),
});

function columnLabel(name) {
  if (name.startsWith("field:")) return [t("Custom field"), " ", bdi(name.slice(6), { dir: "ltr" })];
  return COLUMN_LABELS()[name] || h("code", { dir: "ltr" }, name);
}

function filterSummary(filter) {
  const chips = [];
  for (const [key, value] of Object.entries(filter)) {
    for (const v of [].concat(value)) {
      let shown = String(v);
      if (key === "status") shown = statusLabel(v);
      else if (key === "country") shown = countryName(v);
      else if (key === "marketing_consent") shown = consentLabel(v);
      chips.push(h("span", { class: "chip" }, h("code", { dir: "ltr" }, key), ": ", bdi(shown)));
    }
  }
  return h("span", { class: "chips" }, chips);
}

async function follow_(box, context, exportId) {
  const { api } = context;
  const state = h("p", { role: "status", "aria-live": "polite" });
  const bar = h("progress", { max: "1", value: "0", "aria-label": t("Progress") });
  const download = h("p");
  clear(box, h("h2", {}, t("The export")), state, bar, download);
  box.hidden = false;
  const job = await follow(() => api.get(`/exports/${exportId}`), {
    stale: context.stale,
    done: (j) => ENDED.has(j.status),
    onAnswer: (j) => {
      clear(state, { queued: t("Waiting"), running: t("Writing the file"), done: t("Ready"), failed: t("Failed"), expired: t("Expired") }[j.status] || j.status,
        j.total_rows !== null && j.total_rows !== undefined ? [" · ", t("{done} of {total} rows", { done: j.rows_done, total: j.total_rows })] : null);
      bar.max = j.total_rows || 1;
      bar.value = ENDED.has(j.status) ? bar.max : j.rows_done;
    },
  });
  if (context.stale()) return;
  if (job.status === "done") {
    clear(download, h("a", { class: "button", href: api.url(`/exports/${exportId}/file`), download: `customers-${exportId}.csv` }, t("Download the file")),
      " ", h("span", { class: "muted" }, t("Rows: {n}", { n: job.total_rows ?? job.rows_done })));
  } else if (job.message) {
    clear(download, h("span", { class: "notice error" }, job.message));
  }
}

export async function render(view, context) {
  const { api, href } = context;
  const params = new URLSearchParams(context.params);
  const kind = params.get("kind") === "bookings" ? "bookings" : "customers";
  params.delete("kind");
  const filter = apiFilter(params);
  const columns = (await api.get("/exports/columns", { kind })).items;
  if (context.stale()) return;
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  const result = h("section", { class: "panel", hidden: true, "aria-live": "polite" });
  const listParams = new URLSearchParams(params);

  const kindChoice = h("fieldset", {},
    h("legend", {}, t("What to export")),
    ["customers", "bookings"].map((k) => h("label", { class: "check" },
      h("input", { type: "radio", name: "kind", value: k, checked: k === kind, onchange: () => {
        const next = new URLSearchParams(context.params);
        if (k === "bookings") next.set("kind", k); else next.delete("kind");
        context.navigate(href("export", [], next), { replace: true });
      } }),
      k === "customers" ? t("Customers") : t("Booking report: customers with bookings in a period"))));
  const period = kind === "bookings" ? h("div", { class: "filter-grid" },
    field(t("Bookings from"), h("input", { type: "date", name: "bookings_from", required: true })),
    field(t("Bookings to"), h("input", { type: "date", name: "bookings_to", required: true }))) : null;
  const picks = h("fieldset", {},
    h("legend", {}, t("Columns")),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "link", onclick: () => picks.querySelectorAll("input[type=checkbox]").forEach((c) => { c.checked = true; }) }, t("Select all")),
      h("button", { type: "button", class: "link", onclick: () => picks.querySelectorAll("input[type=checkbox]").forEach((c) => { c.checked = false; }) }, t("Select none"))),
    h("div", { class: "columns-pick" }, columns.map((c) => h("label", {},
      h("input", { type: "checkbox", name: "columns", value: c.name, checked: c.default }), columnLabel(c.name)))));

  const form = h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const data = new FormData(form);
    const body = { kind, filter, columns: data.getAll("columns") };
    if (!body.columns.length) {
      showError(errors, { message: t("Choose at least one column.") });
      return;
    }
    if (kind === "bookings") {
      body.bookings_from = data.get("bookings_from");
      body.bookings_to = data.get("bookings_to");
    }
    try {
      const job = await api.post("/exports", body);
      await follow_(result, context, job.id);
    } catch (error) {
      showError(errors, error);
    }
  } },
  kindChoice,
  h("p", {}, h("strong", {}, t("Customers exported:")), " ", filterSummary(filter), " ",
    h("a", { href: href("customers", [], listParams) }, t("Change the filter in the customer list"))),
  period, picks, errors,
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Export"))));
  clear(view, h("h1", {}, t("Export customers")), form, result);
}
