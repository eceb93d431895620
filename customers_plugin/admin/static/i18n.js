// The page's language: texts from the server's catalog (gettext domain "admin"; the English
// text is the message id), and dates, numbers and money formatted by the browser's Intl for
// the page's locale.

let messages = {};
let locale = "en";

export function setLanguage(code, catalog) {
  locale = code;
  messages = catalog || {};
}

export function currentLocale() {
  return locale;
}

// t("Deleted {count} customers", { count: 3 }): the translation, placeholders filled.
export function t(text, values) {
  const translated = messages[text] || text;
  if (!values) return translated;
  return translated.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? formatValue(values[key]) : whole));
}

function formatValue(value) {
  return typeof value === "number" ? formatNumber(value) : String(value);
}

export function formatNumber(value) {
  if (value === null || value === undefined || value === "") return "";
  return new Intl.NumberFormat(locale).format(Number(value));
}

export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "";
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency || "USD" }).format(Number(amount));
  } catch {
    return formatNumber(amount) + " " + (currency || "");
  }
}

export function formatDate(iso, withTime = false) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

export function countryName(code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}
