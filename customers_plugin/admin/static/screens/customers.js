// The Customers section: the list (customers), a customer's card (customers/<id>) and the
// form to add one (customers/new). Loading the part is itself a wait: a screen opened in the
// meantime wins (context.stale), so a late list never replaces it.
export async function render(view, context) {
  const [first] = context.path;
  const part = !first ? "list" : first === "new" ? "new" : "card";
  const module = await import(`../customers/${part}.js`);
  if (context.stale()) return undefined;
  return module.render(view, context, first);
}
