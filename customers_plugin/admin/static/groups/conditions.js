// The condition builder: one row per condition (the field, the test, the value), for every
// condition type GET /groups/condition-types lists (the plugin's and those plugins register),
// each value control made for its type and test; and a sentence describing saved conditions.
import { bdi, field, h } from "../dom.js";
import { countryName, currentLocale, formatDate, formatMoney, formatNumber, t } from "../i18n.js";
import { commaList } from "../work.js";

export function opLabel(op) {
  return {
    gt: t("is more than"), gte: t("is at least"), lt: t("is less than"), lte: t("is at most"),
    eq: t("is"), neq: t("is not"), between: t("is between"), in: t("is one of"), is_null: t("is empty"),
  }[op] || op;
}

export function choiceLabel(value) {
  return {
    female: t("Female"), male: t("Male"), other: t("Other"),
    active: t("Active"), inactive: t("Inactive"), blocked: t("Blocked"),
  }[value] || value;
}

const OP_ORDER = ["eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "is_null"];

export function showValue(type, value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    const shown = value.map((v) => showValue(type, v)).map((v) => (v instanceof Node ? v.textContent : String(v)));
    return bdi(new Intl.ListFormat(currentLocale(), { type: "disjunction" }).format(shown));
  }
  if (type === "money") return bdi(formatMoney(value));
  if (type === "integer" || type === "decimal") return bdi(formatNumber(value));
  if (type === "date") return bdi(formatDate(value));
  if (type === "boolean") return value ? t("yes") : t("no");
  if (typeof value === "string" && /^[A-Z]{2}$/.test(value)) return bdi(countryName(value));
  return bdi(choiceLabel(String(value)));
}

// "Total purchases is more than 100 and Country is SA", or "Added by hand only".
export function describe(conditions, labels, types = []) {
  const list = conditions?.conditions || [];
  if (!list.length) return h("span", { class: "muted" }, t("Added by hand only"));
  const kinds = Object.fromEntries(types.map((x) => [x.field, x.value_type]));
  const joiner = conditions.match === "any" ? t("or") : t("and");
  return h("span", {}, list.map((c, i) => [
    i ? [" ", h("strong", {}, joiner), " "] : null,
    labels[c.field] || c.field, " ", opLabel(c.op),
    c.op === "is_null" ? (c.value ? "" : [" ", t("(no: has a value)")]) : [" ", showValue(kinds[c.field], c.value)],
  ]));
}

function convert(type, raw) {
  const text = String(raw ?? "").trim();
  if (type === "integer") return /^-?\d+$/.test(text) ? Number(text) : text;
  if (type === "decimal") return text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text;
  if (type === "boolean") return text === "true";
  return text;
}

function valueControl(type, op, value, number) {
  const name = t("Value of condition {n}", { n: number });
  const base = { "aria-label": name, required: true };
  const single = (v, label = name) => {
    if (type.choices?.length) {
      return h("select", { ...base, "aria-label": label },
        type.choices.map((c) => h("option", { value: c, selected: String(v) === c }, choiceLabel(c))));
    }
    if (type.value_type === "boolean") {
      return h("select", { ...base, "aria-label": label },
        h("option", { value: "true", selected: v === true }, t("yes")),
        h("option", { value: "false", selected: v === false }, t("no")));
    }
    const attrs = { ...base, "aria-label": label, value: v ?? "", dir: "ltr" };
    if (type.value_type === "date") return h("input", { ...attrs, type: "date" });
    if (type.value_type === "integer") {
      return h("input", { ...attrs, type: "number", step: "1", min: type.minimum ?? null, max: type.maximum ?? null });
    }
    if (type.value_type === "money" || type.value_type === "decimal") {
      return h("input", { ...attrs, type: "text", inputmode: "decimal", pattern: "-?[0-9]+([.][0-9]+)?", maxlength: "20" });
    }
    return h("input", { ...attrs, type: "text", maxlength: "200", dir: "auto" });
  };
  if (op === "is_null") {
    return { nodes: [h("select", base, h("option", { value: "true", selected: value !== false }, t("yes")),
      h("option", { value: "false", selected: value === false }, t("no")))],
    read: (nodes) => nodes[0].value === "true" };
  }
  if (op === "between") {
    const [low, high] = Array.isArray(value) ? value : [];
    const nodes = [single(low, t("From (condition {n})", { n: number })), h("span", {}, t("and")), single(high, t("To (condition {n})", { n: number }))];
    return { nodes, read: (n) => [convert(type.value_type, n[0].value), convert(type.value_type, n[2].value)] };
  }
  if (op === "in") {
    if (type.choices?.length) {
      const chosen = new Set((value || []).map(String));
      const select = h("select", { ...base, multiple: true, size: String(Math.min(4, type.choices.length)) },
        type.choices.map((c) => h("option", { value: c, selected: chosen.has(c) }, choiceLabel(c))));
      return { nodes: [select], read: (n) => [...n[0].selectedOptions].map((o) => o.value) };
    }
    const input = h("input", { ...base, type: "text", dir: "auto", maxlength: "2000", value: (value || []).join(", "), placeholder: t("Separate values with commas.") });
    return { nodes: [input], read: (n) => commaList(n[0].value).map((v) => convert(type.value_type, v)) };
  }
  return { nodes: [single(value)], read: (n) => convert(type.value_type, n[0].value) };
}

// The builder: returns { element, read() } where read() gives {match, conditions} or null
// when no condition is set (a group of hand-picked members only).
export function conditionBuilder(types, initial) {
  const byField = new Map(types.map((x) => [x.field, x]));
  const rows = h("div", { class: "conditions" });
  const match = h("select", { name: "match" },
    h("option", { value: "all", selected: initial?.match !== "any" }, t("all conditions")),
    h("option", { value: "any", selected: initial?.match === "any" }, t("any condition")));
  const entries = [];

  function renumber() {
    entries.forEach((entry, i) => entry.number(i + 1));
  }

  function addRow(condition) {
    const entry = {};
    const row = h("div", { class: "condition" });
    const fieldSelect = h("select", { required: true },
      types.map((x) => h("option", { value: x.field, selected: x.field === condition?.field }, x.label)));
    const opSelect = h("select", { required: true });
    const valueBox = h("div", { class: "value" });
    const remove = h("button", { type: "button", class: "secondary", onclick: () => {
      entries.splice(entries.indexOf(entry), 1);
      row.remove();
      renumber();
    } }, t("Remove"));
    let control = null;
    let number = entries.length + 1;
    const fillOps = (op) => {
      const type = byField.get(fieldSelect.value);
      const ops = [...type.ops].sort((a, b) => OP_ORDER.indexOf(a) - OP_ORDER.indexOf(b));
      opSelect.replaceChildren(...ops.map((o) => h("option", { value: o, selected: o === op }, opLabel(o))));
    };
    const fillValue = (value) => {
      const type = byField.get(fieldSelect.value);
      control = valueControl(type, opSelect.value, value, number);
      valueBox.replaceChildren(...control.nodes);
    };
    fieldSelect.addEventListener("change", () => { fillOps(); fillValue(); });
    opSelect.addEventListener("change", () => fillValue());
    entry.number = (n) => {
      const before = number;
      number = n;
      fieldSelect.setAttribute("aria-label", t("Field of condition {n}", { n }));
      opSelect.setAttribute("aria-label", t("Test of condition {n}", { n }));
      remove.setAttribute("aria-label", t("Remove condition {n}", { n }));
      if (control && before !== n) fillValue(control.read(control.nodes));
    };
    entry.read = () => ({ field: fieldSelect.value, op: opSelect.value, value: control.read(control.nodes) });
    row.append(fieldSelect, opSelect, valueBox, remove);
    rows.append(row);
    entries.push(entry);
    fillOps(condition?.op);
    fillValue(condition?.value);
    entry.number(number);
    return fieldSelect;
  }

  for (const condition of initial?.conditions || []) if (byField.has(condition.field)) addRow(condition);
  const add = h("button", { type: "button", class: "secondary", onclick: () => addRow().focus() }, t("Add a condition"));
  const element = h("fieldset", { class: "condition-builder" },
    h("legend", {}, t("Who joins automatically")),
    field(t("Customers who match"), match),
    rows,
    types.length ? add : h("p", { class: "muted" }, t("No condition types are available.")));
  return {
    element,
    read: () => (entries.length ? { match: match.value, conditions: entries.map((e) => e.read()) } : null),
  };
}
