// The tasks tab: the customer's tasks, soonest due first; add one, mark it done (or open
// again), reassign it to another member of staff or reschedule it.
import { bdi, clear, dialog, field, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import * as lookups from "../lookups.js";
import { WRITE } from "../permissions.js";
import { pagedList } from "./paged.js";

// The value of a datetime-local input for a date: the browser's local time (the API reads a
// time without an offset in the store's timezone, so the page sends the offset).
function localInput(iso) {
  const d = iso ? new Date(iso) : new Date(Date.now() + 86400000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function withOffset(local) {
  return new Date(local).toISOString();
}

export async function render(panel, context) {
  const { api, path, can } = context;
  const box = h("div");
  const fail = (error) => context.toast(error.message, "error");
  const refresh = () => render(panel, context);
  let staff = [];
  try { staff = await lookups.staff(api); } catch { staff = []; }
  const staffName = (id) => (staff.find((s) => s.id === id) || {}).name || id;
  const assignee = (selected) => h("select", { name: "assignee_id" }, h("option", { value: "" }, t("Nobody")),
    staff.map((s) => h("option", { value: s.id, selected: s.id === selected }, s.name || s.id)));

  const addForm = can(WRITE) ? h("form", { class: "panel", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(addForm);
    const body = { title: String(data.get("title")).trim(), due_at: withOffset(data.get("due_at")) };
    if (data.get("assignee_id")) body.assignee_id = data.get("assignee_id");
    if (String(data.get("description")).trim()) body.description = String(data.get("description")).trim();
    try { await api.post(path + "/tasks", body); context.toast(t("The task was added.")); await refresh(); } catch (error) { fail(error); }
  } },
  h("h2", {}, t("Add a task")),
  h("div", { class: "row" },
    field(t("Task"), h("input", { name: "title", required: true, maxlength: "200", dir: "auto" })),
    field(t("Due"), h("input", { type: "datetime-local", name: "due_at", required: true, value: localInput() })),
    field(t("Assigned to"), assignee(null))),
  field(t("Details"), h("textarea", { name: "description", maxlength: "2000", dir: "auto" })),
  h("div", { class: "actions" }, h("button", { type: "submit" }, t("Add task")))) : null;

  function item(task) {
    const done = task.status === "done";
    const change = async (body) => { try { await api.patch(`/tasks/${task.id}`, body); await refresh(); } catch (error) { fail(error); } };
    return h("article", {},
      h("p", {}, h("strong", { class: done ? "done-task" : null }, bdi(task.title)), " · ", t("due {when}", { when: formatDate(task.due_at, true) }),
        " · ", task.assignee_id ? bdi(staffName(task.assignee_id)) : t("Nobody"), " · ", h("span", { class: "chip" }, done ? t("Done") : t("Open"))),
      task.description ? h("p", { dir: "auto", class: "muted" }, task.description) : null,
      can(WRITE) ? h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => change({ status: done ? "open" : "done" }) }, done ? t("Open again") : t("Mark done")),
        h("button", { type: "button", class: "link", onclick: async () => {
          const answer = await dialog({ title: t("Reassign or reschedule"), body: [
            field(t("Assigned to"), assignee(task.assignee_id)),
            field(t("Due"), h("input", { type: "datetime-local", name: "due_at", required: true, value: localInput(task.due_at) })),
          ], submit: t("Save"), cancel: t("Cancel") });
          if (answer) change({ assignee_id: answer.get("assignee_id") || null, due_at: withOffset(answer.get("due_at")) });
        } }, t("Reassign or reschedule"))) : null);
  }

  clear(panel, addForm, box);
  await pagedList(box, { fetch: (cursor) => api.get(path + "/tasks", { cursor, limit: 20 }), empty: t("No tasks yet."), item });
}
