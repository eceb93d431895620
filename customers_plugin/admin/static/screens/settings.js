// The store's settings (GET/PATCH /settings): each one's effective value, whether the store set
// its own, and the app's default; changed one at a time with the control its rule asks for, or
// reset to the default (PATCH null). A refused value shows the API's message beside its field.
import { bdi, clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { showError } from "../work.js";

// What the page knows of each key (docs/features/settings.md); a key it does not know yet is
// edited as text, or as a checkbox or a number when its value is one.
function known() {
  return {
    address_method: { label: t("Address method"), kind: "enum", options: {
      free_text: t("Free text"), national_address: t("Saudi National Address"), map_location: t("Map location") } },
    default_region: { label: t("Default region of phones"), kind: "text", pattern: "[A-Za-z]{2}", hint: t("Two letters (ISO 3166-1), e.g. SA, IL, IT.") },
    currency: { label: t("Currency"), kind: "text", pattern: "[A-Z]{3}", hint: t("Three capital letters (ISO 4217), e.g. SAR, ILS, EUR.") },
    timezone: { label: t("Time zone"), kind: "text", hint: t("An IANA name, e.g. Asia/Riyadh.") },
    sms_sender_name: { label: t("SMS sender name"), kind: "text", pattern: "[A-Za-z0-9]{1,11}", hint: t("Letters and digits, 1 to 11.") },
    review_request_channel: { label: t("Channel of review requests"), kind: "text", pattern: "[a-z0-9_]{1,32}", hint: t("A channel name, e.g. email or sms.") },
    automatic_review_requests: { label: t("Ask for a review after delivery"), kind: "bool" },
    review_request_days: { label: t("Days after delivery to ask for a review"), kind: "number", min: 0, max: 365 },
    import_subscribe: { label: t("Imported customers are subscribed by default"), kind: "bool" },
    wishlist_max_items: { label: t("Most items in a wishlist"), kind: "number", min: 1, max: 10000 },
  };
}

function specOf(key, state, specs) {
  if (specs[key]) return specs[key];
  const kind = typeof state.default === "boolean" ? "bool" : typeof state.default === "number" ? "number" : "text";
  return { label: key, kind };
}

function shown(value, spec) {
  if (value === null || value === undefined || value === "") return t("(none)");
  if (spec.kind === "bool") return value ? t("On") : t("Off");
  if (spec.kind === "enum") return spec.options[value] || String(value);
  return bdi(String(value), { dir: "ltr" });
}

function control(key, state, spec, describedBy) {
  const common = { name: key, id: `setting-${key}`, "aria-describedby": describedBy };
  if (spec.kind === "bool") return h("input", { ...common, type: "checkbox", checked: Boolean(state.value) });
  if (spec.kind === "enum") {
    return h("select", common, Object.entries(spec.options).map(([value, label]) =>
      h("option", { value, selected: value === state.value }, label)));
  }
  if (spec.kind === "number") {
    return h("input", { ...common, type: "number", step: "1", min: spec.min, max: spec.max, required: true, value: state.value ?? "", dir: "ltr" });
  }
  return h("input", { ...common, type: "text", pattern: spec.pattern, value: state.value ?? "", dir: "ltr", maxlength: "64" });
}

function read(input, spec) {
  if (spec.kind === "bool") return input.checked;
  if (spec.kind === "number") return Number(input.value);
  const text = input.value.trim();
  return text === "" ? null : text;
}

export async function render(view, context) {
  const { api } = context;
  const answer = await api.get("/settings");
  if (context.stale()) return;
  const specs = known();
  const errors = h("div", { class: "notice error", role: "alert", hidden: true });

  async function send(key, value, fieldError) {
    errors.hidden = true;
    fieldError.hidden = true;
    try {
      await api.patch("/settings", { [key]: value });
      context.toast(value === null ? t("The setting is back to the default.") : t("The setting was saved."));
      await render(view, context);
    } catch (error) {
      const mine = error.fields && error.fields[key];
      if (error.status === 422 && mine) {
        clear(fieldError, [].concat(mine).join(" "));
        fieldError.hidden = false;
      } else {
        showError(errors, error);
      }
    }
  }

  // the page's own order (related settings together), then any key it does not know
  const order = Object.keys(specs);
  const keys = Object.keys(answer).sort((a, b) =>
    (order.includes(a) ? order.indexOf(a) : order.length) - (order.includes(b) ? order.indexOf(b) : order.length));
  const rows = keys.map((key) => {
    const state = answer[key];
    const spec = specOf(key, state, specs);
    const fieldError = h("p", { class: "field-errors", id: `setting-${key}-error`, role: "alert", hidden: true });
    const hintId = spec.hint ? `setting-${key}-hint` : null;
    const input = control(key, state, spec, [hintId, fieldError.id].filter(Boolean).join(" "));
    return h("form", { class: "panel setting", dataset: { key }, onsubmit: (event) => {
      event.preventDefault();
      send(key, read(input, spec), fieldError);
    } },
    h("div", { class: "setting-head" },
      h("label", { for: input.id, class: "setting-label" }, spec.label),
      h("span", { class: state.overridden ? "badge own" : "badge" }, state.overridden ? t("Set for this store") : t("App default"))),
    h("div", { class: "actions" },
      input,
      h("button", { type: "submit" }, t("Save")),
      state.overridden ? h("button", { type: "button", class: "secondary", onclick: () => send(key, null, fieldError) }, t("Reset to default")) : null),
    spec.hint ? h("small", { id: hintId, class: "muted" }, spec.hint) : null,
    fieldError,
    h("p", { class: "muted default" }, t("Default:"), " ", shown(state.default, spec)));
  });

  clear(view,
    h("h1", {}, t("Settings")),
    h("p", { class: "muted" }, t("The app's configuration is the default of each setting; a value set here applies to this store only.")),
    errors,
    h("div", { class: "settings" }, rows));
}
