// The customer card: the header (photo, name, status, actions) from GET /customers/{id}, and
// one tab at a time (card/tabs.js registers them; each tab is one module asking for its own
// page of data when it is opened). The open tab is in the address (?tab=notes).
import { bdi, clear, dialog, field, h } from "../dom.js";
import { t } from "../i18n.js";
import { BLOCK, DELETE, ORDERS, WALLET, WRITE } from "../permissions.js";
import { TABS } from "../card/tabs.js";
import { editCustomer, walletMove } from "../card/forms.js";
import { placeOrder } from "../card/place_order.js";
import { statusLabel } from "./list.js";

const BLOCK_REASONS = ["fraud", "not_serious", "abusive_behaviour", "payment_problems", "fake_information", "spam", "other"];

export function blockReasonLabel(reason) {
  return {
    fraud: t("Fraud"), not_serious: t("Not serious"), abusive_behaviour: t("Abusive behaviour"),
    payment_problems: t("Payment problems"), fake_information: t("Fake information"),
    spam: t("Spam"), other: t("Other"),
  }[reason] || reason;
}

export async function render(view, context, id) {
  const { api, can, href } = context;
  const path = `/customers/${encodeURIComponent(id)}`;
  let customer = await api.get(path);
  if (context.stale()) return;
  const head = h("section", { class: "card-head", "aria-label": t("Customer") });
  const tabList = h("div", { class: "tabs", role: "tablist", "aria-label": t("Customer details") });
  const panel = h("section", { class: "tab-panel", role: "tabpanel", tabindex: "0" });
  const tabs = TABS.filter((tab) => can(tab.permission));
  let current = tabs.find((tab) => tab.id === context.params.get("tab")) || tabs[0];

  async function reload() {
    customer = await api.get(path);
    drawHead();
    await openTab(current, false);
  }

  const act = (fn) => async () => {
    try {
      if (await fn() !== false) await reload();
    } catch (error) {
      context.toast(error.message, "error");
    }
  };

  function drawHead() {
    const name = customer.name || customer.email || customer.phone || t("(no name)");
    const photo = customer.has_photo
      ? h("img", { class: "avatar", src: api.url(path + "/photo") + "?v=" + encodeURIComponent(customer.updated_at), alt: t("Photo of {name}", { name }) })
      : h("span", { class: "avatar", "aria-hidden": "true" }, name.trim().charAt(0).toUpperCase());
    const status = customer.status === "active" ? null
      : h("span", { class: "status " + customer.status }, statusLabel(customer.status),
        customer.block_reason ? [": ", blockReasonLabel(customer.block_reason)] : null);
    clear(head,
      photo,
      h("div", {},
        h("h1", {}, bdi(name)),
        h("p", { class: "muted" }, customer.email ? bdi(customer.email, { dir: "ltr" }) : null, " ", status),
        customer.block_details ? h("p", { class: "muted" }, bdi(customer.block_details)) : null),
      h("span", { class: "spacer" }),
      h("div", { class: "actions", role: "group", "aria-label": t("Actions") }, actions()));
  }

  function actions() {
    const buttons = [];
    const button = (label, onclick, kind = "secondary") => h("button", { type: "button", class: kind, onclick }, label);
    if (customer.erased_at) return buttons;
    if (can(WRITE)) {
      buttons.push(button(t("Edit"), act(() => editCustomer(api, path, customer))));
      buttons.push(button(t("Photo"), act(() => changePhoto(api, path, customer))));
      if (customer.status === "active") buttons.push(button(t("Deactivate"), act(() => api.post(path + "/deactivate"))));
      if (customer.status === "inactive") buttons.push(button(t("Activate"), act(() => api.post(path + "/activate"))));
      buttons.push(button(t("Send review request"), act(async () => {
        await api.post(path + "/review-requests");
        context.toast(t("The review request is on its way."));
      })));
    }
    if (can(BLOCK)) {
      if (customer.status === "blocked") buttons.push(button(t("Unblock"), act(() => api.post(path + "/unblock"))));
      else buttons.push(button(t("Block"), act(() => block(api, path))));
    }
    if (can(ORDERS)) buttons.push(button(t("Place order"), act(() => placeOrder(context, path))));
    if (can(WALLET)) buttons.push(button(t("Wallet"), act(() => walletMove(api, path, customer))));
    if (can(DELETE)) {
      buttons.push(button(t("Delete"), async () => {
        const ok = await dialog({ title: t("Delete this customer?"), body: h("p", {}, t("This cannot be undone.")), submit: t("Delete"), cancel: t("Cancel"), danger: true });
        if (!ok) return;
        try {
          await api.del(path);
          context.toast(t("The customer was deleted."));
          context.navigate(href("customers"));
        } catch (error) {
          context.toast(error.message, "error");
        }
      }, "danger"));
    }
    return buttons;
  }

  async function openTab(tab, focus) {
    current = tab;
    const query = new URLSearchParams(window.location.search);
    if (tab === tabs[0]) query.delete("tab"); else query.set("tab", tab.id);
    context.remember(query);
    for (const button of tabList.children) {
      const selected = button.dataset.tab === tab.id;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    panel.setAttribute("aria-labelledby", "tab-" + tab.id);
    clear(panel, h("p", { class: "muted" }, t("Loading…")));
    const module = await tab.load();
    if (current !== tab) return;
    try {
      await module.render(panel, { ...context, customer, path, reload });
    } catch (error) {
      clear(panel, h("p", { class: "notice error", role: "alert" }, error.message));
    }
  }

  clear(tabList, tabs.map((tab) => h("button", {
    type: "button", role: "tab", id: "tab-" + tab.id, dataset: { tab: tab.id },
    onclick: () => openTab(tab, false),
    onkeydown: (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step && event.key !== "Home" && event.key !== "End") return;
      event.preventDefault();
      const rtl = getComputedStyle(tabList).direction === "rtl";
      const at = tabs.indexOf(current);
      const next = event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1
        : (at + (rtl ? -step : step) + tabs.length) % tabs.length;
      openTab(tabs[next], true);
    },
  }, tab.label())));

  drawHead();
  clear(view,
    h("p", {}, h("a", { href: href("customers") }, t("All customers"))),
    head, tabList, panel);
  await openTab(current, false);
}

async function block(api, path) {
  const reason = h("select", { name: "reason", required: true },
    BLOCK_REASONS.map((r) => h("option", { value: r }, blockReasonLabel(r))));
  const details = h("textarea", { name: "details", maxlength: "1000", dir: "auto" });
  const answer = await dialog({ title: t("Block this customer"), body: [field(t("Reason"), reason), field(t("Details"), details)], submit: t("Block"), cancel: t("Cancel"), danger: true });
  if (!answer) return false;
  const body = { reason: answer.get("reason") };
  if (String(answer.get("details")).trim()) body.details = String(answer.get("details")).trim();
  return api.post(path + "/block", body);
}

async function changePhoto(api, path, customer) {
  const file = h("input", { type: "file", name: "photo", accept: "image/jpeg,image/png,image/gif,image/webp", required: !customer.has_photo });
  const remove = customer.has_photo ? h("label", {}, h("input", { type: "checkbox", name: "remove" }), " ", t("Remove the photo")) : null;
  const answer = await dialog({ title: t("Photo"), body: [field(t("Image file"), file), remove], submit: t("Save"), cancel: t("Cancel") });
  if (!answer) return false;
  if (answer.get("remove")) return api.del(path + "/photo");
  const form = new FormData();
  form.append("photo", answer.get("photo"));
  return api.put(path + "/photo", form);
}
