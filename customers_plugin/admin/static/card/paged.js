// A tab's list in keyset pages: the first page, then "More" asks for the next one (the API's
// next_cursor). One request per page; each item drawn by the tab.
import { clear, h } from "../dom.js";
import { t } from "../i18n.js";

export async function pagedList(box, { fetch, item, empty, listClass = "items" }) {
  const list = h("ul", { class: listClass });
  const more = h("button", { type: "button", class: "secondary", hidden: true });
  const note = h("p", { class: "muted", hidden: true }, empty);
  let cursor = null;
  async function next() {
    more.disabled = true;
    try {
      const answer = await fetch(cursor);
      list.append(...answer.items.map((entry) => h("li", {}, item(entry, answer))));
      cursor = answer.next_cursor || null;
      more.hidden = !cursor;
      note.hidden = list.children.length > 0;
      return answer;
    } finally {
      more.disabled = false;
    }
  }
  more.textContent = t("More");
  more.addEventListener("click", next);
  clear(box, list, note, more);
  return next();
}
