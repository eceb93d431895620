// The Groups section: the list (groups), a new group (groups/new) and one group, its
// conditions, checkout rules and members (groups/<id>). As for customers, a screen opened
// while the part loads wins (context.stale).
export async function render(view, context) {
  const [first] = context.path;
  const module = await import(first ? "../groups/edit.js" : "../groups/list.js");
  if (context.stale()) return undefined;
  return module.render(view, context, first === "new" ? null : first);
}
