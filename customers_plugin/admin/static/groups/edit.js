// One group: its name and icon, the conditions that put customers in it (with a preview of
// who would join and leave before saving), its checkout rules and its members. A new group
// (groups/new) has the same form without members. Staff without groups.manage read it only.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { GROUPS } from "../permissions.js";
import { commaList, count, showError } from "../work.js";
import { conditionBuilder } from "./conditions.js";
import { renderMembers } from "./members.js";

function rulesFieldset(group) {
  return h("fieldset", {},
    h("legend", {}, t("Checkout rules")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "free_shipping", checked: Boolean(group?.free_shipping) }), t("Free shipping for members")),
    h("div", { class: "filter-grid wide" },
      field(t("Coupons members may use"), h("input", { name: "coupon_codes", dir: "ltr", maxlength: "2000", value: (group?.coupon_codes || []).join(", ") }), t("Separate codes with commas.")),
      field(t("Payment methods to hide"), h("input", { name: "hidden_payment_methods", dir: "ltr", maxlength: "2000", value: (group?.hidden_payment_methods || []).join(", ") }), t("The host's method names, separated by commas."))));
}

function previewLine(answer, existing) {
  const parts = [h("span", {}, t("Matching customers: {n}", { n: answer.matching }))];
  if (existing) {
    parts.push(h("span", { class: "join" }, "+", count(answer.would_join), " ", t("join")));
    parts.push(h("span", { class: "leave" }, "−", count(answer.would_leave), " ", t("leave")));
  }
  return parts;
}

export async function render(view, context, groupId) {
  const { api, can, href } = context;
  const editable = can(GROUPS);
  const [group, types] = await Promise.all([
    groupId ? api.get(`/groups/${groupId}`) : null,
    api.get("/groups/condition-types").then((answer) => answer.items),
  ]);
  if (context.stale()) return;
  const builder = conditionBuilder(types, group?.conditions);
  const errors = h("div", { class: "notice error field-errors", role: "alert", hidden: true });
  const preview = h("p", { class: "preview", role: "status", "aria-live": "polite" });

  function body(form) {
    const data = new FormData(form);
    return {
      name: String(data.get("name") || "").trim(),
      icon: String(data.get("icon") || "").trim() || null,
      conditions: builder.read(),
      free_shipping: data.get("free_shipping") === "on",
      coupon_codes: commaList(data.get("coupon_codes")),
      hidden_payment_methods: commaList(data.get("hidden_payment_methods")),
    };
  }

  async function runPreview() {
    errors.hidden = true;
    try {
      const answer = await api.post("/groups/preview", { conditions: builder.read(), group_id: group?.id ?? null });
      clear(preview, previewLine(answer, Boolean(group)));
    } catch (error) {
      clear(preview);
      showError(errors, error);
    }
  }

  const form = h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    errors.hidden = true;
    try {
      const saved = group
        ? await api.patch(`/groups/${group.id}`, body(form))
        : await api.post("/groups", body(form));
      lookups.forget("groups");
      context.toast(t("The group was saved."));
      context.navigate(href("groups", [saved.id]), { replace: Boolean(group) });
    } catch (error) {
      showError(errors, error);
    }
  } },
  h("fieldset", { disabled: !editable, class: "plain-fieldset" },
    h("legend", {}, t("Group")),
    h("div", { class: "filter-grid" },
      field(t("Name"), h("input", { name: "name", required: true, maxlength: "100", dir: "auto", value: group?.name || "" })),
      field(t("Icon"), h("input", { name: "icon", maxlength: "64", dir: "auto", value: group?.icon || "" }), t("An emoji or a short name.")))),
  editable ? builder.element : h("fieldset", { disabled: true }, builder.element),
  h("div", { class: "actions" },
    editable ? h("button", { type: "button", class: "secondary", onclick: runPreview }, t("Preview")) : null,
    preview),
  editable ? rulesFieldset(group) : h("fieldset", { disabled: true }, rulesFieldset(group)),
  errors,
  editable ? h("div", { class: "actions" },
    h("button", { type: "submit" }, group ? t("Save group") : t("Create group")),
    h("a", { class: "button secondary", href: href("groups") }, t("Cancel")),
    h("span", { class: "spacer" }),
    group ? h("button", { type: "button", class: "danger", onclick: async () => {
      const sure = await dialog({
        title: t("Delete this group?"),
        body: h("p", {}, t("Its customers are not deleted; they only leave the group.")),
        submit: t("Delete group"), cancel: t("Cancel"), danger: true,
      });
      if (!sure) return;
      try {
        await api.del(`/groups/${group.id}`);
        lookups.forget("groups");
        context.toast(t("The group was deleted."));
        context.navigate(href("groups"));
      } catch (error) {
        showError(errors, error);
      }
    } }, t("Delete group")) : null) : null);

  const title = group ? [group.icon ? [bdi(group.icon), " "] : null, bdi(group.name)] : t("New group");
  const summary = group ? h("p", { class: "muted" },
    t("Members: {n}", { n: group.members_count }), " · ", t("Added by hand: {n}", { n: group.manual_members_count }),
    group.failing ? [" · ", h("span", { class: "badge bad" }, t("Failing")), " ", bdi(group.failure_reason || "")] : null) : null;
  const members = h("section", { class: "panel", "aria-labelledby": "members-title" });
  clear(view,
    h("p", {}, h("a", { href: href("groups") }, t("All groups"))),
    h("h1", {}, title), summary, form, group ? members : null);
  if (group) await renderMembers(members, context, group, types);
  if (!group && editable) form.querySelector("input[name=name]").focus();
}
