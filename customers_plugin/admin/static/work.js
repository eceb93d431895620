// Helpers of the groups, import, export and fields screens: an API error shown beside its
// form, a CSV answer read in the page's language, a job followed until it ends, and a list
// typed as comma-separated text.
import { clear, h } from "./dom.js";
import { currentLocale } from "./i18n.js";

// The error's message and each field's messages (already in the page's language: the API
// translates them), in the box given.
export function showError(box, error) {
  const fields = Object.entries(error.fields || {});
  clear(box, h("p", {}, error.message || String(error)),
    fields.length ? h("ul", {}, fields.map(([name, messages]) =>
      h("li", {}, h("code", { dir: "ltr" }, name), " ", [].concat(messages).join(" ")))) : null);
  box.hidden = false;
}

// A CSV answer of the API (a row report) as rows of cells, read with the page's language.
export async function csvRows(url) {
  const response = await fetch(url, {
    headers: { "Accept-Language": currentLocale() }, credentials: "same-origin",
  });
  if (!response.ok) throw new Error(String(response.status));
  return parseCsv((await response.text()).replace(/^\ufeff/, ""));
}

// RFC 4180: quoted cells may hold commas, quotes ("") and line breaks.
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// Asks `read()` every `every` ms until `done(answer)`; `onAnswer` sees each answer; stops
// when `stale()` says the screen was left.
export async function follow(read, { done, onAnswer, stale, every = 700 }) {
  for (;;) {
    const answer = await read();
    if (stale()) return answer;
    onAnswer(answer);
    if (done(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, every));
    if (stale()) return answer;
  }
}

export function commaList(text) {
  return [...new Set(String(text || "").split(/[,،\n]/).map((x) => x.trim()).filter(Boolean))];
}

// A count the browser formats for the page's language, in its own isolate.
export function count(value) {
  return h("bdi", {}, new Intl.NumberFormat(currentLocale()).format(Number(value || 0)));
}
