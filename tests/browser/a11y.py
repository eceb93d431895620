"""A small accessibility check run inside the page (written for these tests): every form
control and button has an accessible name, images have alt text, the page has its landmarks,
a language and a direction, ids are unique, and text keeps a WCAG AA contrast ratio (4.5:1, 3:1
for large text) against the background it is drawn on. ``problems(page)`` lists what fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHECK = """() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const shown = style.visibility !== "hidden" && style.display !== "none";
    return shown && (box.width > 0 || box.height > 0);
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "") +
    " '" + (el.textContent || "").trim().slice(0, 30) + "'";
  const text = (el) => (el.textContent || "").replace(/\\s+/g, " ").trim();
  const labelled = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const named = (id) => document.getElementById(id) && text(document.getElementById(id));
    if (ids.some(named)) return true;
    if (el.labels && [...el.labels].some((label) => text(label))) return true;
    return Boolean((el.getAttribute("title") || "").trim());
  };

  const html = document.documentElement;
  if (!html.lang) problems.push("html has no lang");
  if (!["ltr", "rtl"].includes(html.dir)) problems.push("html has no dir");
  if (document.querySelectorAll("main").length !== 1) problems.push("not one main landmark");
  if (!document.querySelector("header")) problems.push("no banner (header)");
  if (!document.querySelector("nav[aria-label]")) problems.push("no labelled navigation");
  if (!document.title.trim()) problems.push("the page has no title");

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    if (!labelled(el)) problems.push("control without a name: " + describe(el));
  }
  for (const el of document.querySelectorAll("button, a[href], [role=tab]")) {
    if (!visible(el)) continue;
    if (!text(el) && !labelled(el)) problems.push("button or link without a name: " + describe(el));
  }
  for (const el of document.querySelectorAll("img")) {
    if (!el.hasAttribute("alt")) problems.push("image without alt: " + el.src);
  }
  const seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push("duplicate id: " + el.id);
    seen.add(el.id);
  }

  const rgba = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const skipped = el.closest("[disabled], [aria-hidden=true], option, noscript");
    if (!own || !visible(el) || skipped) continue;
    const style = getComputedStyle(el);
    if (Number(style.opacity) < 1) continue;
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [l1, l2] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} of ${describe(el)}`);
  }
  return problems;
}"""


def problems(page: Page) -> list[str]:
    """What the page's current state fails of the checks above."""
    return page.evaluate(CHECK)
