// Building the page: elements are made with h() and filled with text nodes only (never
// innerHTML), since everything shown comes from customers and staff: untrusted text.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(element.dataset, value);
    } else if (key in element && typeof value !== "string") {
      element[key] = value;
    } else {
      element.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// A customer's own text (a name, an email, a phone) in any script: isolated from the text
// around it, so an Arabic name in an English row (or an email in an Arabic one) keeps its order.
export function bdi(text, attrs = {}) {
  return h("bdi", attrs, text ?? "");
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// A labelled form control: <label> wraps the text and the control, so both are one name.
export function field(labelText, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "label" }, labelText), control, hint ? h("small", {}, hint) : null);
}

// A modal dialog (the browser's <dialog>: focus moves in and back, Escape closes it).
// Resolves with the form's data when submitted, with null when cancelled.
export function dialog({ title, body, submit, cancel, danger = false }) {
  return new Promise((resolve) => {
    const form = h("form", { method: "dialog", class: "dialog-form" });
    const box = h("dialog", { class: "dialog", "aria-label": title }, form);
    const done = (value) => { box.close(); box.remove(); resolve(value); };
    append(form, [
      h("h2", {}, title),
      body,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => done(null) }, cancel),
        h("button", { type: "submit", class: danger ? "danger" : "primary" }, submit)),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      done(new FormData(form));
    });
    box.addEventListener("cancel", (event) => { event.preventDefault(); done(null); });
    document.body.append(box);
    box.showModal();
  });
}

let toastTimer = null;
export function toast(text, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 4000);
}
