// The messages tab: the customer's threads (unread counts), one open thread's messages (opening
// it marks them read), and the form that sends a new message or replies inside the open thread.
import { bdi, clear, field, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { MESSAGE } from "../permissions.js";
import { pagedList } from "./paged.js";

export function channelLabel(channel) {
  return { email: t("Email"), sms: t("SMS") }[channel] || channel;
}

function stateLabel(state) {
  return {
    queued: t("Queued"), sending: t("Sending"), sent: t("Sent"), delivered: t("Delivered"),
    failed: t("Failed"), bounced: t("Bounced"), received: t("Received"),
  }[state] || state;
}

// The form of a message: channel, purpose, subject (email only) and body. In a thread the
// channel is the thread's and the body is a reply.
export function messageControls(thread) {
  const channel = h("select", { name: "channel", disabled: Boolean(thread) },
    ["email", "sms"].map((c) => h("option", { value: c, selected: thread ? thread.channel === c : c === "email" }, channelLabel(c))));
  const subject = field(t("Subject"), h("input", { name: "subject", maxlength: "200", dir: "auto", value: thread?.subject || "" }));
  const sync = () => { subject.hidden = channel.value !== "email"; };
  channel.addEventListener("change", sync);
  sync();
  return [
    h("div", { class: "row" },
      field(t("Channel"), channel),
      field(t("Purpose"), h("select", { name: "purpose" },
        h("option", { value: "transactional" }, t("Transactional")), h("option", { value: "marketing" }, t("Marketing"))))),
    subject,
    field(t("Message"), h("textarea", { name: "body", required: true, maxlength: "5000", dir: "auto" })),
  ];
}

// The body of POST /customers/{id}/messages (or of the bulk action's "message").
export function messageBody(data, thread) {
  const channel = thread ? thread.channel : String(data.get("channel"));
  const body = { channel, purpose: String(data.get("purpose")), body: String(data.get("body")).trim() };
  const subject = String(data.get("subject") ?? "").trim();
  if (channel === "email" && subject) body.subject = subject;
  if (thread) body.thread_id = thread.id;
  return body;
}

export async function render(panel, context) {
  const { api, path, can } = context;
  const threads = h("section", { class: "panel", "aria-label": t("Threads") });
  const open = h("section", { class: "panel", hidden: true, "aria-live": "polite" });
  let thread = null;

  const error = h("p", { class: "notice error", role: "alert", hidden: true });
  const heading = h("h2", {});
  const form = can(MESSAGE) ? h("form", { class: "panel", onsubmit: send }) : null;

  function drawForm() {
    if (!form) return;
    heading.textContent = thread ? t("Reply in this thread") : t("Send a message");
    clear(form, heading, error, messageControls(thread),
      h("div", { class: "actions" },
        thread ? h("button", { type: "button", class: "secondary", onclick: () => { thread = null; open.hidden = true; drawForm(); } }, t("New thread")) : null,
        h("button", { type: "submit" }, thread ? t("Reply") : t("Send"))));
  }

  async function send(event) {
    event.preventDefault();
    error.hidden = true;
    try {
      const message = await api.post(path + "/messages", messageBody(new FormData(form), thread));
      context.toast(t("The message is on its way."));
      await showThreads();
      await openThread(message.thread_id);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  }

  async function openThread(id) {
    const answer = await api.get(`/threads/${id}`, { limit: 50 });
    thread = answer;
    clear(open,
      h("h2", {}, answer.subject ? bdi(answer.subject) : t("Thread"), " ", h("span", { class: "chip" }, channelLabel(answer.channel))),
      h("ol", { class: "items messages" }, answer.messages.map((m) => h("li", { class: "message " + m.direction },
        h("p", { class: "muted" },
          m.direction === "in" ? t("From the customer") : t("To the customer"), " · ", channelLabel(m.channel), " · ",
          h("span", { class: "chip" }, stateLabel(m.state)), " · ", formatDate(m.created_at, true),
          m.sent_by ? [" · ", bdi(m.sent_by)] : null),
        m.subject && m.subject !== answer.subject ? h("p", {}, h("strong", {}, bdi(m.subject))) : null,
        h("p", { dir: "auto", class: "note-text" }, m.body),
        m.failure_reason ? h("p", { class: "muted" }, t("Reason: {reason}", { reason: m.failure_reason })) : null))));
    open.hidden = false;
    drawForm();
    await showThreads();
  }

  async function showThreads() {
    await pagedList(threads, {
      fetch: (cursor) => api.get(path + "/threads", { cursor, limit: 20 }),
      empty: t("No messages yet."),
      item: (th) => h("button", { type: "button", class: "link", "aria-current": thread && thread.id === th.id ? "true" : null, onclick: () => openThread(th.id).catch((e) => context.toast(e.message, "error")) },
        channelLabel(th.channel), " · ", th.subject ? bdi(th.subject) : t("(no subject)"), " · ", formatDate(th.last_message_at, true),
        th.unread_count ? [" ", h("span", { class: "chip unread" }, t("{count} unread", { count: th.unread_count }))] : null),
    });
  }

  drawForm();
  clear(panel, h("div", { class: "split" }, threads, open), form);
  await showThreads();
}
