// The admin page: reads the shell's configuration, asks the API what the signed-in staff
// member may do (one request), then shows the screen the address names. A screen is the module
// screens/<id>.js (registered on the server, customers_plugin/admin/screens.py) exporting
// render(view, context); its address is <base><id>/<rest>?<its own state>.
import { createClient } from "./api.js";
import { bdi, clear, h, toast } from "./dom.js";
import { setLanguage, t } from "./i18n.js";

const config = JSON.parse(document.getElementById("customers-admin-config").textContent);
setLanguage(config.locale, config.messages);
const api = createClient(config);
const view = document.getElementById("view");
const screens = new Map(config.screens.map((s) => [s.id, s]));
let held = new Set();
let renders = 0;

const can = (permission) => held.has(permission);

function where() {
  const rest = window.location.pathname.startsWith(config.base)
    ? window.location.pathname.slice(config.base.length)
    : "";
  const segments = rest.split("/").filter(Boolean).map(decodeURIComponent);
  const first = config.screens.find((s) => can(s.permission)) || config.screens[0];
  const id = screens.has(segments[0]) ? segments[0] : first.id;
  return { id, path: screens.has(segments[0]) ? segments.slice(1) : [] };
}

// The address of a screen: href("customers", ["new"]) -> /admin/customers/new
function href(id, path = [], params) {
  const query = params && String(params) ? "?" + params : "";
  return config.base + [id, ...path].map(encodeURIComponent).join("/") + query;
}

function navigate(target, { replace = false } = {}) {
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  show();
}

// Keeps a screen's own state in the address without showing the screen again.
function remember(params, { replace = true } = {}) {
  const query = String(params);
  const target = window.location.pathname + (query ? "?" + query : "");
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
}

function markNavigation(id) {
  for (const link of document.querySelectorAll("nav.screens a[data-screen]")) {
    if (link.dataset.screen === id) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  for (const item of document.querySelectorAll("nav.screens li[data-permission]")) {
    item.hidden = !can(item.dataset.permission);
  }
  for (const link of document.querySelectorAll("nav.languages a[hreflang]")) {
    link.search = "?lang=" + link.hreflang; // keeps the screen while changing the language
    link.pathname = window.location.pathname;
  }
}

async function show() {
  const ticket = ++renders;
  const { id, path } = where();
  markNavigation(id);
  const screen = screens.get(id);
  view.setAttribute("aria-busy", "true");
  const context = {
    api, can, href, navigate, remember, config, path, t, toast,
    params: new URLSearchParams(window.location.search),
    stale: () => ticket !== renders,
  };
  try {
    if (!can(screen.permission)) {
      clear(view, h("p", { class: "notice" }, t("You may not open this section.")));
      return;
    }
    const module = await import(`./screens/${id}.js`);
    if (context.stale()) return;
    await module.render(view, context);
  } catch (error) {
    if (context.stale()) return;
    clear(view, h("p", { class: "notice error", role: "alert" }, error.message || String(error)));
  } finally {
    if (!context.stale()) view.setAttribute("aria-busy", "false");
  }
}

// Links inside the admin change the screen without loading the page again.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download") || link.closest("nav.languages")) return;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || !url.pathname.startsWith(config.base)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", show);

// Who is signed in (as the host names them), with the host's page to switch account.
function showWho(staff) {
  const bar = document.querySelector("header.bar");
  const who = h("span", { class: "who" }, staff ? [t("Signed in as"), " ", bdi(staff)] : null);
  if (config.signIn) who.append(" ", h("a", { href: config.signIn }, t("Switch account")));
  bar.querySelector("nav.languages").before(who);
}

async function start() {
  const address = new URL(window.location.href);
  if (address.searchParams.has("lang")) { // the server keeps the choice in a cookie
    address.searchParams.delete("lang");
    window.history.replaceState(null, "", address.pathname + address.search);
  }
  try {
    const answer = await api.get("/permissions");
    held = new Set(answer.permissions);
    showWho(answer.staff);
  } catch (error) {
    markNavigation("");
    const text = error.status === 401 ? t("Sign in to see the customers.") : error.message;
    const signIn = error.status === 401 && config.signIn
      ? h("a", { href: config.signIn, class: "button" }, t("Sign in")) : null;
    clear(view, h("p", { class: "notice error", role: "alert" }, text, " ", signIn));
    view.setAttribute("aria-busy", "false");
    return;
  }
  await show();
}

start();
