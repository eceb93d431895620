// The Groups section: the list (groups), a new group (groups/new) and one group, its
// conditions, checkout rules and members (groups/<id>).
export async function render(view, context) {
  const [first] = context.path;
  if (!first) return (await import("../groups/list.js")).render(view, context);
  return (await import("../groups/edit.js")).render(view, context, first === "new" ? null : first);
}
