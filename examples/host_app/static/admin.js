// The admin page: customer list with search, and a customer card, from the customers-plugin API.
// Everything is written with textContent (never innerHTML): customer data is untrusted text.
(function () {
  "use strict";
  const api = window.CUSTOMERS_API;
  const $ = (id) => document.getElementById(id);
  const tokenInput = $("token");
  const statusBox = $("status");
  const tbody = document.querySelector("#list tbody");
  const card = $("card");
  const more = $("more");
  let nextCursor = null;
  let listedQuery = ""; // the search the rows on screen answer: "More" continues that one

  tokenInput.value = sessionStorage.getItem("customersToken") || "";

  function say(text) {
    statusBox.hidden = !text;
    statusBox.textContent = text || "";
  }

  async function call(path) {
    const token = tokenInput.value.trim();
    if (!token) throw new Error("Enter an admin token first.");
    const response = await fetch(api + path, {
      headers: { Authorization: "Bearer " + token, Accept: "application/json" },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = (body.error && body.error.message) || response.statusText;
      throw new Error(response.status + " — " + message);
    }
    return body;
  }

  function rowsOf(body) {
    if (Array.isArray(body)) return body;
    return body.items || body.data || body.customers || body.results || [];
  }

  function cursorOf(body) {
    return body.next_cursor || (body.page && body.page.next_cursor) || (body.meta && body.meta.next_cursor) || null;
  }

  function text(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? v.name || v.source || JSON.stringify(v) : v)).join(", ");
    if (typeof value === "object") return value.amount !== undefined ? value.amount + " " + (value.currency || "") : JSON.stringify(value);
    return String(value);
  }

  function cell(row, value) {
    const td = document.createElement("td");
    td.dir = "auto";
    td.textContent = text(value);
    row.appendChild(td);
  }

  async function load(append) {
    if (append && !nextCursor) return;
    if (!append) listedQuery = $("q").value.trim();
    const params = new URLSearchParams({ limit: "50" });
    if (listedQuery) params.set("q", listedQuery);
    if (append) params.set("cursor", nextCursor);
    more.disabled = true; // one request per cursor, however often "More" is clicked
    try {
      const body = await call("/customers?" + params);
      if (!append) tbody.replaceChildren();
      const rows = rowsOf(body);
      for (const c of rows) {
        const tr = document.createElement("tr");
        tr.tabIndex = 0;
        if (c.status && c.status !== "active") tr.className = "status-" + c.status;
        [c.name, c.email, c.phone, c.country, c.orders_count, c.total_spent, c.sources, c.tags].forEach((v) => cell(tr, v));
        tr.addEventListener("click", () => show(c.id));
        tr.addEventListener("keydown", (e) => { if (e.key === "Enter") show(c.id); });
        tbody.appendChild(tr);
      }
      nextCursor = cursorOf(body);
      more.hidden = !nextCursor;
      say(rows.length || append ? "" : "No customers match.");
    } catch (err) {
      tbody.replaceChildren();
      card.hidden = true;
      more.hidden = true;
      say(err.message);
    } finally {
      more.disabled = false;
    }
  }

  function section(title, value) {
    const h = document.createElement("h3");
    h.textContent = title;
    card.appendChild(h);
    if (Array.isArray(value)) {
      const ul = document.createElement("ul");
      for (const item of value) {
        const li = document.createElement("li");
        li.dir = "auto";
        li.textContent = typeof item === "object" ? Object.entries(item).map(([k, v]) => k + ": " + text(v)).join(" · ") : String(item);
        ul.appendChild(li);
      }
      card.appendChild(ul);
      return;
    }
    const dl = document.createElement("dl");
    for (const [key, v] of Object.entries(value)) {
      if (v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
      const dt = document.createElement("dt");
      dt.textContent = key.replaceAll("_", " ");
      const dd = document.createElement("dd");
      dd.dir = "auto";
      dd.textContent = text(v);
      dl.append(dt, dd);
    }
    card.appendChild(dl);
  }

  async function show(id) {
    try {
      const c = await call("/customers/" + encodeURIComponent(id));
      card.replaceChildren();
      const h = document.createElement("h2");
      h.dir = "auto";
      h.textContent = c.name || c.email || c.phone || id;
      card.appendChild(h);
      if (c.status === "blocked") {
        const p = document.createElement("p");
        p.className = "badge blocked";
        p.textContent = "Blocked: " + text(c.block_reason);
        card.appendChild(p);
      }
      const plain = {};
      const nested = [];
      for (const [key, v] of Object.entries(c)) {
        const objects = Array.isArray(v) && v.length && typeof v[0] === "object";
        const record = v && typeof v === "object" && !Array.isArray(v) && v.amount === undefined;
        if (objects || record) nested.push([key.replaceAll("_", " "), v]);
        else plain[key] = v;
      }
      section("details", plain);
      for (const [title, v] of nested) section(title, v);
      card.hidden = false;
    } catch (err) {
      say(err.message);
    }
  }

  $("auth").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem("customersToken", tokenInput.value.trim());
    load(false);
  });
  $("search").addEventListener("submit", (e) => { e.preventDefault(); load(false); });
  more.addEventListener("click", () => load(true));
  if (tokenInput.value) load(false);
})();
