// The overview tab: contacts, profile, addresses, custom fields, consent, tags (added and
// removed here), groups, stats and the wallet balance, all from the card already loaded.
import { bdi, clear, h } from "../dom.js";
import { countryName, formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { WRITE } from "../permissions.js";
import { consentLabel } from "../customers/list.js";

function facts(rows) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && !value.length));
  if (!shown.length) return h("p", { class: "muted" }, t("Nothing yet."));
  return h("dl", { class: "facts" }, shown.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

const ltr = (text) => bdi(text, { dir: "ltr" });

export async function render(panel, context) {
  const { customer: c, api, can, path } = context;
  const gender = { female: t("Female"), male: t("Male"), other: t("Other") }[c.gender] || c.gender;
  const addresses = (c.addresses || []).map((a) =>
    h("li", { dir: "auto" }, [a.label, a.line1, a.line2, a.city, a.region, a.postal_code, countryName(a.country)].filter(Boolean).join(", ")));
  const customBox = h("div");
  const tagBox = h("div", { class: "chips" });

  function drawTags(tags) {
    clear(tagBox, tags.map((tag) => h("span", { class: "chip" }, bdi(tag.name),
      can(WRITE) ? h("button", { type: "button", class: "link", "aria-label": t("Remove tag {name}", { name: tag.name }), onclick: async () => {
        try { drawTags((await api.del(`${path}/tags/${tag.id}`)).tags); } catch (error) { context.toast(error.message, "error"); }
      } }, " ×") : null)));
  }
  drawTags(c.tags || []);
  const tagInput = h("input", { name: "tag", maxlength: "100", dir: "auto", required: true, "aria-label": t("New tag"), placeholder: t("New tag") });
  const tagForm = can(WRITE) ? h("form", { class: "row", onsubmit: async (event) => {
    event.preventDefault();
    try {
      drawTags((await api.post(path + "/tags", { tags: [tagInput.value.trim()] })).tags);
      tagInput.value = "";
      lookups.forget("tags");
    } catch (error) { context.toast(error.message, "error"); }
  } }, tagInput, h("button", { type: "submit", class: "secondary" }, t("Add tag"))) : null;

  clear(panel, h("div", { class: "grid-2" },
    h("section", { class: "panel", "aria-labelledby": "ov-contacts" }, h("h2", { id: "ov-contacts" }, t("Contacts")), facts([
      [t("Email"), c.email ? ltr(c.email) : null],
      [t("Other emails"), (c.extra_emails || []).map((e) => h("div", {}, ltr(e)))],
      [t("Phone"), c.phone ? ltr(c.phone) : null],
      [t("Other phones"), (c.extra_phones || []).map((p) => h("div", {}, ltr(p)))],
      [t("Country"), c.country ? countryName(c.country) : null],
      [t("Language"), c.language],
      [t("Company"), c.company ? bdi(c.company) : null],
      [t("Position"), c.position ? bdi(c.position) : null],
      [t("VAT id"), c.vat_id ? ltr(c.vat_id) : null],
      [t("Birthdate"), c.birthdate ? formatDate(c.birthdate) : null],
      [t("Gender"), gender],
      [t("Sources"), (c.sources || []).join(", ")],
      [t("Joined"), formatDate(c.joined_at)],
    ])),
    h("section", { class: "panel", "aria-labelledby": "ov-stats" }, h("h2", { id: "ov-stats" }, t("Purchases and wallet")), facts([
      [t("Orders"), formatNumber(c.orders_count)],
      [t("Total spent"), formatMoney(c.total_spent, c.currency)],
      [t("Cancelled orders"), formatNumber(c.cancelled_orders_count)],
      [t("Last order"), c.last_order_at ? formatDate(c.last_order_at) : null],
      [t("Bookings"), formatNumber(c.bookings_count)],
      [t("Reviews"), formatNumber(c.reviews_count)],
      [t("Average rating"), c.avg_rating ? formatNumber(c.avg_rating) : null],
      [t("Wallet balance"), h("strong", { "data-testid": "wallet-balance" }, formatMoney(c.wallet_balance, c.currency))],
    ])),
    h("section", { class: "panel", "aria-labelledby": "ov-consent" }, h("h2", { id: "ov-consent" }, t("Consent")), facts([
      [t("Marketing"), h("span", { class: "dot " + (c.marketing_consent === "subscribed" ? "on" : "off") }, consentLabel(c.marketing_consent))],
      [t("Since"), c.marketing_consent_at ? formatDate(c.marketing_consent_at, true) : null],
      [t("How"), c.marketing_consent_source],
      [t("Notifications"), h("span", { class: "dot " + (c.system_notifications ? "on" : "off") }, c.system_notifications ? t("On") : t("Off"))],
    ])),
    h("section", { class: "panel", "aria-labelledby": "ov-tags" }, h("h2", { id: "ov-tags" }, t("Tags and groups")),
      tagBox, tagForm,
      h("h3", {}, t("Groups")),
      (c.groups || []).length ? h("div", { class: "chips" }, c.groups.map((g) => h("span", { class: "chip" }, bdi(g.name)))) : h("p", { class: "muted" }, t("Nothing yet."))),
    h("section", { class: "panel", "aria-labelledby": "ov-addresses" }, h("h2", { id: "ov-addresses" }, t("Addresses")),
      addresses.length ? h("ul", { class: "items" }, addresses) : h("p", { class: "muted" }, t("Nothing yet."))),
    h("section", { class: "panel", "aria-labelledby": "ov-fields" }, h("h2", { id: "ov-fields" }, t("Custom fields")), customBox)));

  const values = Object.entries(c.custom_fields || {});
  let labels = {};
  if (values.length) {
    try { labels = Object.fromEntries((await lookups.fields(api)).map((f) => [f.key, f.label])); } catch { labels = {}; }
  }
  clear(customBox, facts(values.map(([key, value]) => [labels[key] || key, bdi(value)])));
}
