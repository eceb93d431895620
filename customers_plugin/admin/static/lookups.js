// The store's tags, groups, custom fields and staff, asked once per page and kept: the
// filters, bulk actions and card forms offer them as choices.
const kept = new Map();

function once(api, key, path) {
  if (!kept.has(key)) {
    kept.set(key, api.get(path).then((answer) => answer.items).catch((error) => {
      kept.delete(key);
      throw error;
    }));
  }
  return kept.get(key);
}

export const tags = (api) => once(api, "tags", "/tags");
export const groups = (api) => once(api, "groups", "/groups");
export const fields = (api) => once(api, "fields", "/fields");
export const staff = (api) => once(api, "staff", "/staff");

// After a change that adds tags or groups: the next ask reads them again.
export function forget(key) {
  kept.delete(key);
}
