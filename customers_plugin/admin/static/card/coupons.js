// The coupons tab: the customer's personal coupons with their state; assign one (code, expiry,
// uses) and revoke one.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import { COUPONS } from "../permissions.js";
import { pagedList } from "./paged.js";

function stateLabel(state) {
  return { active: t("Active"), used_up: t("Used up"), expired: t("Expired"), revoked: t("Revoked") }[state] || state;
}

function discountText(discount) {
  if (!discount) return null;
  return discount.kind === "percent" ? t("{value}% off", { value: formatNumber(discount.value) }) : t("{amount} off", { amount: formatMoney(discount.value, discount.currency) });
}

export async function render(panel, context) {
  const { api, path, can } = context;
  const box = h("div");
  const refresh = () => render(panel, context);
  const error = h("p", { class: "notice error", role: "alert", hidden: true });

  const form = can(COUPONS) ? h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    error.hidden = true;
    const data = new FormData(form);
    const body = { code: String(data.get("code")).trim() };
    if (data.get("expires_at")) body.expires_at = new Date(String(data.get("expires_at"))).toISOString();
    if (data.get("uses_per_customer")) body.uses_per_customer = Number(data.get("uses_per_customer"));
    try {
      await api.post(path + "/coupons", body);
      context.toast(t("The coupon was assigned."));
      await refresh();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  } },
  h("h2", {}, t("Assign a coupon")), error,
  h("div", { class: "row" },
    field(t("Code"), h("input", { name: "code", required: true, maxlength: "64", pattern: "[A-Za-z0-9_\\-]+", dir: "ltr", autocomplete: "off" })),
    field(t("Expires"), h("input", { name: "expires_at", type: "datetime-local" })),
    field(t("Uses"), h("input", { name: "uses_per_customer", type: "number", min: "1", step: "1", inputmode: "numeric" }))),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Assign")))) : null;

  function item(c) {
    const revoke = can(COUPONS) && c.state === "active" ? h("button", { type: "button", class: "link", "aria-label": t("Revoke {code}", { code: c.code }), onclick: async () => {
      const ok = await dialog({ title: t("Revoke this coupon?"), body: h("p", {}, bdi(c.code, { dir: "ltr" })), submit: t("Revoke"), cancel: t("Cancel"), danger: true });
      if (!ok) return;
      try { await api.del(`${path}/coupons/${c.id}`); await refresh(); } catch (failure) { context.toast(failure.message, "error"); }
    } }, t("Revoke")) : null;
    return [
      h("strong", {}, bdi(c.code, { dir: "ltr" })), " ", h("span", { class: "chip coupon-" + c.state }, stateLabel(c.state)),
      c.discount ? [" · ", discountText(c.discount)] : null,
      " · ", c.expires_at ? t("until {date}", { date: formatDate(c.expires_at, true) }) : t("no expiry"),
      " · ", c.uses_per_customer ? t("used {uses} of {limit}", { uses: c.uses, limit: c.uses_per_customer }) : t("used {uses}", { uses: c.uses }),
      c.source === "wishlist_gift" ? [" · ", t("wishlist gift")] : null,
      revoke ? [" ", revoke] : null,
    ];
  }

  clear(panel, form, box);
  await pagedList(box, { fetch: (cursor) => api.get(path + "/coupons", { cursor, limit: 20 }), empty: t("No coupons yet."), item });
}
