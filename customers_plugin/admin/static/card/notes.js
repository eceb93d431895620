// The notes tab: internal notes, pinned first; add one (with a file), edit, pin, delete, and
// attach, download or remove files.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { WRITE } from "../permissions.js";
import { pagedList } from "./paged.js";

export function noteTypeLabel(type) {
  return { note: t("Note"), meeting_summary: t("Meeting summary"), call_summary: t("Call summary") }[type] || type;
}

function typeSelect(selected) {
  return h("select", { name: "type" }, ["note", "meeting_summary", "call_summary"].map((type) =>
    h("option", { value: type, selected: type === selected }, noteTypeLabel(type))));
}

export async function render(panel, context) {
  const { api, path, can } = context;
  const box = h("div");
  const fail = (error) => context.toast(error.message, "error");
  const refresh = () => render(panel, context);

  async function attach(noteId, file) {
    const form = new FormData();
    form.append("file", file);
    return api.upload(`/notes/${noteId}/files`, form);
  }

  const text = h("textarea", { name: "text", required: true, maxlength: "5000", dir: "auto" });
  const file = h("input", { type: "file", name: "file" });
  const addForm = can(WRITE) ? h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(addForm);
    try {
      const note = await api.post(path + "/notes", { text: String(data.get("text")), type: data.get("type"), pinned: data.get("pinned") === "on" });
      if (file.files.length) await attach(note.id, file.files[0]);
      context.toast(t("The note was added."));
      await refresh();
    } catch (error) { fail(error); }
  } },
  h("h2", {}, t("Add a note")),
  field(t("Note"), text),
  h("div", { class: "row" }, field(t("Type"), typeSelect("note")), field(t("File"), file),
    h("label", {}, h("input", { type: "checkbox", name: "pinned" }), " ", t("Pin to the top"))),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Add note")))) : null;

  function item(note) {
    const files = h("ul", {}, note.files.map((f) => h("li", {},
      h("a", { href: api.url(`/notes/${note.id}/files/${f.id}`), download: f.filename }, bdi(f.filename)),
      " ", h("span", { class: "muted" }, t("{size} bytes", { size: formatNumber(f.size) })),
      can(WRITE) ? [" ", h("button", { type: "button", class: "link", "aria-label": t("Remove file {name}", { name: f.filename }), onclick: async () => {
        try { await api.del(`/notes/${note.id}/files/${f.id}`); await refresh(); } catch (error) { fail(error); }
      } }, t("Remove"))] : null)));
    const controls = can(WRITE) ? h("div", { class: "actions" },
      h("button", { type: "button", class: "link", onclick: async () => {
        try { await api.patch(`/notes/${note.id}`, { pinned: !note.pinned }); await refresh(); } catch (error) { fail(error); }
      } }, note.pinned ? t("Unpin") : t("Pin")),
      h("button", { type: "button", class: "link", onclick: async () => {
        const edited = h("textarea", { name: "text", required: true, maxlength: "5000", dir: "auto" }, note.text);
        const answer = await dialog({ title: t("Edit note"), body: [field(t("Note"), edited), field(t("Type"), typeSelect(note.type))], submit: t("Save"), cancel: t("Cancel") });
        if (!answer) return;
        try { await api.patch(`/notes/${note.id}`, { text: String(answer.get("text")), type: answer.get("type") }); await refresh(); } catch (error) { fail(error); }
      } }, t("Edit")),
      h("label", { class: "button secondary" }, t("Attach a file"), h("input", { type: "file", hidden: true, onchange: async (event) => {
        try { await attach(note.id, event.target.files[0]); await refresh(); } catch (error) { fail(error); }
      } })),
      h("button", { type: "button", class: "link", onclick: async () => {
        const ok = await dialog({ title: t("Delete this note?"), body: h("p", {}, t("This cannot be undone.")), submit: t("Delete"), cancel: t("Cancel"), danger: true });
        if (!ok) return;
        try { await api.del(`/notes/${note.id}`); await refresh(); } catch (error) { fail(error); }
      } }, t("Delete"))) : null;
    return h("article", { class: note.pinned ? "pinned" : null, "aria-label": noteTypeLabel(note.type) },
      h("p", { class: "muted" }, note.pinned ? "📌 " : "", noteTypeLabel(note.type), " · ", bdi(note.author), " · ", formatDate(note.created_at, true)),
      h("p", { dir: "auto", class: "note-text" }, note.text),
      note.files.length ? files : null, controls);
  }

  clear(panel, addForm, box);
  await pagedList(box, { fetch: (cursor) => api.get(path + "/notes", { cursor, limit: 20 }), empty: t("No notes yet."), item });
}
