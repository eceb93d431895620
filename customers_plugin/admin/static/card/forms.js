// The customer's profile form (adding a customer and editing one share it), the edit dialog
// and the wallet's credit/debit dialog.
import { bdi, dialog, field, h } from "../dom.js";
import { formatMoney, t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { consentLabel } from "../customers/list.js";

const CONSENT = ["not_set", "subscribed", "unsubscribed", "pending"];

// The controls of the profile (name, phone, country…, consent, custom fields).
export async function profileControls(api, customer = {}) {
  let definitions = [];
  try { definitions = await lookups.fields(api); } catch { definitions = []; }
  const text = (name, label, attrs = {}) => field(label, h("input", { name, value: customer[name] || "", dir: "auto", ...attrs }));
  const values = customer.custom_fields || {};
  return [
    h("div", { class: "filter-grid" },
      text("name", t("Name"), { maxlength: "200", autocomplete: "off" }),
      text("phone", t("Phone"), { maxlength: "40", type: "tel", dir: "ltr" }),
      text("country", t("Country"), { maxlength: "2", pattern: "[A-Za-z]{2}", dir: "ltr", placeholder: "SA" }),
      text("language", t("Language"), { maxlength: "16", dir: "ltr", placeholder: "ar" }),
      text("company", t("Company"), { maxlength: "200" }),
      text("position", t("Position"), { maxlength: "200" }),
      text("vat_id", t("VAT id"), { maxlength: "64", dir: "ltr" }),
      field(t("Birthdate"), h("input", { type: "date", name: "birthdate", value: customer.birthdate || "" })),
      field(t("Gender"), h("select", { name: "gender" }, h("option", { value: "" }, t("Not given")),
        [["female", t("Female")], ["male", t("Male")], ["other", t("Other")]].map(([v, l]) => h("option", { value: v, selected: customer.gender === v }, l)))),
      field(t("Marketing"), h("select", { name: "marketing_consent" },
        CONSENT.map((c) => h("option", { value: c, selected: (customer.marketing_consent || "not_set") === c }, consentLabel(c))))),
      h("label", { class: "field" }, h("span", { class: "label" }, t("Notifications")),
        h("span", {}, h("input", { type: "checkbox", name: "system_notifications", checked: customer.system_notifications !== false }), " ", t("System notifications")))),
    definitions.length ? h("fieldset", {}, h("legend", {}, t("Custom fields")), h("div", { class: "filter-grid" },
      definitions.map((d) => field(d.label, h("input", { name: "cf:" + d.key, value: values[d.key] || "", dir: "auto", type: { number: "number", date: "date", url: "url" }[d.type] || "text" }))))) : null,
  ];
}

// The body of POST /customers or PATCH /customers/{id} from the form's data: empty texts
// are null (cleared) when editing, left out when adding.
export function profileBody(data, editing) {
  const body = {};
  for (const name of ["name", "phone", "country", "language", "company", "position", "vat_id", "birthdate", "gender"]) {
    const value = String(data.get(name) ?? "").trim();
    if (value) body[name] = name === "country" ? value.toUpperCase() : value;
    else if (editing) body[name] = null;
  }
  body.marketing_consent = data.get("marketing_consent");
  body.system_notifications = data.get("system_notifications") === "on";
  const custom = {};
  for (const [key, value] of data.entries()) {
    if (!key.startsWith("cf:")) continue;
    const text = String(value).trim();
    if (text) custom[key.slice(3)] = text;
    else if (editing) custom[key.slice(3)] = null;
  }
  if (Object.keys(custom).length) body.custom_fields = custom;
  return body;
}

export async function editCustomer(api, path, customer) {
  const email = h("p", {}, t("Email"), ": ", customer.email ? bdi(customer.email, { dir: "ltr" }) : "—", " ", h("small", { class: "muted" }, t("(cannot be changed)")));
  const answer = await dialog({ title: t("Edit customer"), body: [email, ...(await profileControls(api, customer))], submit: t("Save"), cancel: t("Cancel") });
  if (!answer) return false;
  const body = profileBody(answer, true);
  if (body.marketing_consent === customer.marketing_consent) delete body.marketing_consent;
  return api.patch(path, body);
}

export async function walletMove(api, path, customer) {
  const answer = await dialog({
    title: t("Wallet"),
    body: [
      h("p", {}, t("Balance"), ": ", h("strong", {}, formatMoney(customer.wallet_balance, customer.currency))),
      field(t("Move"), h("select", { name: "type" }, h("option", { value: "credit" }, t("Credit")), h("option", { value: "debit" }, t("Debit")))),
      field(t("Amount"), h("input", { name: "amount", type: "number", min: "0.01", step: "0.01", required: true, inputmode: "decimal" })),
      field(t("Reason"), h("input", { name: "reason", required: true, maxlength: "200", dir: "auto" })),
    ],
    submit: t("Save"), cancel: t("Cancel"),
  });
  if (!answer) return false;
  return api.post(path + "/wallet/transactions", {
    type: answer.get("type"),
    amount: Number(answer.get("amount")).toFixed(2),
    reason: String(answer.get("reason")).trim(),
    idempotency_key: crypto.randomUUID(),
  });
}
