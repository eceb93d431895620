// The plugin's permission names (customers_plugin.security): the page shows a control only
// when GET {api}/permissions says the staff member holds what its API call needs.
export const READ = "customers.read";
export const WRITE = "customers.write";
export const DELETE = "customers.delete";
export const EXPORT = "customers.export";
export const BLOCK = "customers.block";
export const WALLET = "customers.wallet";
export const IMPORT = "customers.import";
export const GROUPS = "groups.manage";
export const SETTINGS = "settings.manage";
export const MESSAGE = "customers.message";
export const ORDERS = "orders.place";
export const COUPONS = "coupons.manage";
export const MERGE = "customers.merge";
