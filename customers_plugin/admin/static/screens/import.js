// Import: the template to fill in, an uploaded CSV file or pasted email addresses, the
// options (auto-subscribe, tags, what to do with existing customers and bad rows, a dry run),
// the job's progress, the row report with its line numbers, and undo. import/<id> follows
// one import; the screen lists the recent ones.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { count, csvRows, follow, showError } from "../work.js";

const ENDED = new Set(["done", "rejected", "failed", "undone"]);

export function statusLabel(status) {
  return {
    queued: t("Waiting"), validating: t("Checking"), importing: t("Importing"), done: t("Done"),
    rejected: t("Refused"), failed: t("Failed"), undoing: t("Undoing"), undone: t("Undone"),
  }[status] || status;
}

function optionsForm() {
  return h("fieldset", {},
    h("legend", {}, t("Options")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "subscribe" }), t("Subscribe them to marketing (they agreed to it)")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "dry_run" }), t("Dry run: check the file and write nothing")),
    h("div", { class: "filter-grid" },
      field(t("Tags for everyone imported"), h("input", { name: "tags", dir: "auto", maxlength: "2000" }), t("Separate tags with commas.")),
      field(t("Customers already in the store"), h("select", { name: "on_existing" },
        h("option", { value: "skip" }, t("Leave them as they are")),
        h("option", { value: "update" }, t("Update them from the file")))),
      field(t("Rows with problems"), h("select", { name: "policy" },
        h("option", { value: "reject-file" }, t("Refuse the whole file")),
        h("option", { value: "skip-bad-rows" }, t("Skip those rows, import the rest"))))));
}

async function startForm(view, context) {
  const { api, href } = context;
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv" });
  const emails = h("textarea", { name: "emails", dir: "ltr", maxlength: "1000000", rows: "5" });
  const form = h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const data = new FormData(form);
    const body = new FormData();
    if (file.files.length) body.append("file", file.files[0]);
    else if (String(data.get("emails") || "").trim()) body.append("emails", data.get("emails"));
    else {
      showError(errors, { message: t("Choose a CSV file or paste email addresses.") });
      return;
    }
    body.append("subscribe", data.get("subscribe") === "on" ? "true" : "false");
    body.append("dry_run", data.get("dry_run") === "on" ? "true" : "false");
    body.append("on_existing", data.get("on_existing"));
    body.append("policy", data.get("policy"));
    if (String(data.get("tags") || "").trim()) body.append("tags", data.get("tags"));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const started = await api.upload("/imports", body);
      context.navigate(href("import", [started.id]));
    } catch (error) {
      showError(errors, error);
      button.disabled = false;
    }
  } },
  h("h2", {}, t("1. The customers")),
  h("p", {}, h("a", { href: api.url("/imports/template.csv"), download: "customers-template.csv" }, t("Download the template")),
    " ", h("span", { class: "muted" }, t("(the columns the import reads, with your custom fields)"))),
  field(t("CSV file"), file),
  field(t("Or paste email addresses"), emails, t("Separated by commas, spaces or lines.")),
  h("h2", {}, t("2. How to import them")),
  optionsForm(),
  errors,
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Start the import"))));

  const recent = await api.get("/imports");
  if (context.stale()) return;
  const list = recent.items.length ? h("div", { class: "table-wrap" }, h("table", { class: "plain imports", "aria-label": t("Recent imports") },
    h("thead", {}, h("tr", {}, [t("Started"), t("File"), t("Status"), t("Created"), t("Updated"), t("Rows with problems")].map((x, i) => h("th", { scope: "col", class: i > 2 ? "num" : null }, x)))),
    h("tbody", {}, recent.items.map((batch) => h("tr", {},
      h("td", { "data-label": t("Started") }, h("a", { href: href("import", [batch.id]) }, formatDate(batch.created_at, true))),
      h("td", { "data-label": t("File") }, bdi(batch.filename || t("Pasted addresses"))),
      h("td", { "data-label": t("Status") }, statusLabel(batch.status), batch.dry_run ? [" ", h("span", { class: "badge" }, t("Dry run"))] : null),
      h("td", { "data-label": t("Created"), class: "num" }, count(batch.created)),
      h("td", { "data-label": t("Updated"), class: "num" }, count(batch.updated)),
      h("td", { "data-label": t("Rows with problems"), class: "num" }, count(batch.errors))))))) : h("p", { class: "muted" }, t("No imports yet."));
  clear(view, h("h1", {}, t("Import customers")), form, h("h2", {}, t("Recent imports")), list);
}

async function followImport(view, context, batchId) {
  const { api, href } = context;
  const title = h("h1", {}, t("Import"));
  const state = h("p", { role: "status", "aria-live": "polite" });
  const bar = h("progress", { max: "1", value: "0", "aria-label": t("Progress") });
  const counts = h("ul", { class: "counts" });
  const message = h("p", { class: "notice", hidden: true });
  const report = h("section", { class: "panel", "aria-labelledby": "report-title", hidden: true });
  const actions = h("div", { class: "actions" });
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  clear(view, h("p", {}, h("a", { href: href("import") }, t("New import"))), title, state, bar, counts, message, errors, actions, report);

  const show = (batch) => {
    clear(title, t("Import"), " ", bdi(batch.filename || t("Pasted addresses")));
    clear(state, statusLabel(batch.status), batch.dry_run ? [" · ", h("span", { class: "badge" }, t("Dry run"))] : null,
      batch.total_rows ? [" · ", t("{done} of {total} rows", { done: batch.rows_done, total: batch.total_rows })] : null);
    bar.max = batch.total_rows || 1;
    bar.value = ENDED.has(batch.status) ? bar.max : batch.rows_done;
    clear(counts, [[t("Created"), batch.created], [t("Updated"), batch.updated], [t("Unchanged"), batch.unchanged],
      [t("Skipped"), batch.skipped], [t("Rows with problems"), batch.errors]].map(([label, value]) => h("li", {}, h("strong", {}, count(value)), label)));
    message.hidden = !batch.message;
    message.textContent = batch.message || "";
  };
  const batch = await follow(() => api.get(`/imports/${batchId}`), {
    done: (b) => ENDED.has(b.status), onAnswer: show, stale: context.stale,
  });
  if (context.stale()) return;

  if (batch.errors) {
    const rows = (await csvRows(api.url(`/imports/${batchId}/report.csv`))).slice(1).filter((r) => r.length >= 3);
    clear(report, h("h2", { id: "report-title" }, t("Row report")),
      h("p", {}, h("a", { href: api.url(`/imports/${batchId}/report.csv`), download: `import-report-${batchId}.csv` }, t("Download the row report"))),
      h("div", { class: "table-wrap" }, h("table", { class: "plain report", "aria-labelledby": "report-title" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, t("Line")), h("th", { scope: "col" }, t("Column")), h("th", { scope: "col" }, t("Problem")))),
        h("tbody", {}, rows.map(([line, column, reason]) => h("tr", {},
          h("td", { "data-label": t("Line"), class: "num" }, count(line)),
          h("td", { "data-label": t("Column") }, bdi(column, { dir: "ltr" })),
          h("td", { "data-label": t("Problem") }, reason)))))));
    report.hidden = false;
  }
  const undoable = batch.status === "done" && !batch.dry_run && (batch.created || batch.updated);
  if (undoable || batch.status === "failed") {
    actions.append(h("button", { type: "button", class: "danger", onclick: async () => {
      const sure = await dialog({
        title: t("Undo this import?"),
        body: h("p", {}, t("Customers it created are deleted (unless they have orders or bookings since) and customers it changed get their old values back.")),
        submit: t("Undo import"), cancel: t("Cancel"), danger: true,
      });
      if (!sure) return;
      try {
        await api.post(`/imports/${batchId}/undo`);
        context.navigate(href("import", [batchId]), { replace: true });
      } catch (error) {
        showError(errors, error);
      }
    } }, t("Undo import")));
  }
  if (batch.status === "failed") {
    actions.append(h("button", { type: "button", class: "secondary", onclick: async () => {
      try {
        await api.post(`/imports/${batchId}/resume`);
        context.navigate(href("import", [batchId]), { replace: true });
      } catch (error) {
        showError(errors, error);
      }
    } }, t("Resume import")));
  }
}

export async function render(view, context) {
  const [batchId] = context.path;
  if (batchId) return followImport(view, context, batchId);
  return startForm(view, context);
}
