// The card's tabs, in order: one module each (exporting render(panel, context), where context
// holds the customer and reload()), shown when the staff member holds its permission. A new
// tab is one module and one line here.
import { t } from "../i18n.js";
import { READ } from "../permissions.js";

export const TABS = [
  { id: "overview", label: () => t("Overview"), permission: READ, load: () => import("./overview.js") },
  { id: "orders", label: () => t("Orders"), permission: READ, load: () => import("./orders.js") },
  { id: "bookings", label: () => t("Bookings"), permission: READ, load: () => import("./bookings.js") },
  { id: "messages", label: () => t("Messages"), permission: READ, load: () => import("./messages.js") },
  { id: "timeline", label: () => t("Timeline"), permission: READ, load: () => import("./timeline.js") },
  { id: "notes", label: () => t("Notes"), permission: READ, load: () => import("./notes.js") },
  { id: "tasks", label: () => t("Tasks"), permission: READ, load: () => import("./tasks.js") },
  { id: "wishlist", label: () => t("Wishlist"), permission: READ, load: () => import("./wishlist.js") },
  { id: "coupons", label: () => t("Coupons"), permission: READ, load: () => import("./coupons.js") },
  { id: "reviews", label: () => t("Reviews"), permission: READ, load: () => import("./reviews.js") },
  { id: "activity", label: () => t("Activity"), permission: READ, load: () => import("./activity.js") },
];
