// Custom fields: the store's own fields on the customer card (text, number, date, URL and
// the types plugins add, as GET /fields lists them), added, relabelled and deleted (after a
// confirmation: every customer's value goes with it). Staff without settings.manage read only.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { SETTINGS } from "../permissions.js";
import { showError } from "../work.js";

export function typeLabel(name, types) {
  const builtin = { text: t("Text"), number: t("Number"), date: t("Date"), url: t("Web address (URL)") };
  return builtin[name] || types.find((x) => x.name === name)?.label || name;
}

export async function render(view, context) {
  const { api, can } = context;
  const editable = can(SETTINGS);
  const answer = await api.get("/fields");
  if (context.stale()) return;
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });
  const reload = () => { lookups.forget("fields"); return render(view, context); };

  const rows = answer.items.map((item) => {
    const label = h("input", { name: "label", value: item.label, required: true, maxlength: "200", dir: "auto", "aria-label": t("Label of {key}", { key: item.key }) });
    return h("tr", {},
      h("td", { "data-label": t("Label") }, editable
        ? h("form", { class: "inline-form", onsubmit: async (event) => {
          event.preventDefault();
          errors.hidden = true;
          try {
            await api.patch(`/fields/${item.id}`, { label: label.value.trim() });
            context.toast(t("The field was renamed."));
            await reload();
          } catch (error) {
            showError(errors, error);
          }
        } }, label, h("button", { type: "submit", class: "secondary" }, t("Rename")))
        : bdi(item.label)),
      h("td", { "data-label": t("Key") }, h("code", { dir: "ltr" }, item.key)),
      h("td", { "data-label": t("Type") }, typeLabel(item.type, answer.types)),
      editable ? h("td", { "data-label": t("Actions") }, h("button", { type: "button", class: "danger", onclick: async () => {
        const sure = await dialog({
          title: t("Delete the field {label}?", { label: item.label }),
          body: h("p", {}, t("Every customer's value of this field is deleted too. This cannot be undone.")),
          submit: t("Delete field"), cancel: t("Cancel"), danger: true,
        });
        if (!sure) return;
        try {
          await api.del(`/fields/${item.id}`);
          context.toast(t("The field was deleted."));
          await reload();
        } catch (error) {
          showError(errors, error);
        }
      } }, t("Delete"))) : null);
  });

  const adder = editable ? h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const data = new FormData(event.currentTarget);
    const body = { label: String(data.get("label")).trim(), type: data.get("type") };
    const key = String(data.get("key") || "").trim();
    if (key) body.key = key;
    try {
      await api.post("/fields", body);
      context.toast(t("The field was added."));
      await reload();
    } catch (error) {
      showError(errors, error);
    }
  } },
  h("h2", {}, t("Add a field")),
  h("div", { class: "filter-grid" },
    field(t("Label"), h("input", { name: "label", required: true, maxlength: "200", dir: "auto" })),
    field(t("Type"), h("select", { name: "type" }, answer.types.map((x) => h("option", { value: x.name }, typeLabel(x.name, answer.types))))),
    field(t("Key (optional)"), h("input", { name: "key", maxlength: "64", dir: "ltr", pattern: "[a-z][a-z0-9_]*" }), t("Made from the label when empty; it never changes."))),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Add field")))) : null;

  clear(view,
    h("h1", {}, t("Custom fields")),
    h("p", { class: "muted" }, t("Fields of your own on every customer's card, in the list's filters, the import and the export.")),
    errors,
    answer.items.length ? h("div", { class: "table-wrap" }, h("table", { class: "plain fields", "aria-label": t("Custom fields") },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Label")), h("th", { scope: "col" }, t("Key")), h("th", { scope: "col" }, t("Type")),
        editable ? h("th", { scope: "col" }, t("Actions")) : null)),
      h("tbody", {}, rows))) : h("p", { class: "notice" }, t("No custom fields yet.")),
    adder);
}
