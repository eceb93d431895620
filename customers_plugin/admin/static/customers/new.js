// Adding a customer by hand: email, the profile, tags and the marketing subscription.
import { clear, field, h } from "../dom.js";
import { t } from "../i18n.js";
import { profileBody, profileControls } from "../card/forms.js";
import * as lookups from "../lookups.js";

export async function render(view, context) {
  const { api, href } = context;
  const errors = h("div", { class: "field-errors", role: "alert" });
  const form = h("form", { class: "panel", novalidate: false, onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = profileBody(data, false);
    const email = String(data.get("email") || "").trim();
    if (email) body.email = email;
    const tags = String(data.get("tags") || "").split(",").map((x) => x.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    try {
      const created = await api.post("/customers", body);
      lookups.forget("tags");
      context.toast(t("The customer was added."));
      context.navigate(href("customers", [created.id]));
    } catch (error) {
      clear(errors, error.message, Object.entries(error.fields || {}).map(([name, messages]) => h("div", {}, name + ": " + [].concat(messages).join(" "))));
    }
  } },
  h("div", { class: "filter-grid" },
    field(t("Email"), h("input", { name: "email", type: "email", maxlength: "320", dir: "ltr", autocomplete: "off" })),
    field(t("Tags"), h("input", { name: "tags", maxlength: "500", dir: "auto" }), t("Separate tags with commas."))),
  ...(await profileControls(api, {})),
  errors,
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Add customer")), h("a", { href: href("customers"), class: "button secondary" }, t("Cancel"))));
  if (context.stale()) return;
  clear(view, h("p", {}, h("a", { href: href("customers") }, t("All customers"))), h("h1", {}, t("Add a customer")), form);
  form.querySelector("input").focus();
}
