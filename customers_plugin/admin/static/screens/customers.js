// The Customers section: the list (customers), a customer's card (customers/<id>) and the
// form to add one (customers/new).
export async function render(view, context) {
  const [first] = context.path;
  if (!first) return (await import("../customers/list.js")).render(view, context);
  if (first === "new") return (await import("../customers/new.js")).render(view, context);
  return (await import("../customers/card.js")).render(view, context, first);
}
