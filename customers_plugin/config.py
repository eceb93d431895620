"""Every configuration key of the plugin, its default and what it means (docs/configuration.md
has a row for each key; tests/core/test_docs.py checks it)."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, tuple[Any, str]] = {
    "CUSTOMERS_URL_PREFIX": ("/api/v1", "Where the REST API is mounted."),
    "CUSTOMERS_ADMIN_URL_PREFIX": (
        None,
        "Where CustomersPlugin mounts the optional admin UI (customers_plugin.admin), e.g. "
        "/admin. Unset: not mounted (a host may call customers_plugin.admin.init_admin).",
    ),
    "CUSTOMERS_ADMIN_SIGN_IN_URL": (
        None,
        "The host's staff sign-in page: the admin links to it when the API answers 401.",
    ),
    "CUSTOMERS_DATABASE_URI": (
        None,
        "Database of the plugin's tables. Unset: the host's SQLALCHEMY_DATABASE_URI, else a "
        "SQLite file customers.db in the app's instance folder.",
    ),
    "CUSTOMERS_ENGINE_OPTIONS": ({}, "Keyword arguments for SQLAlchemy's create_engine."),
    "CUSTOMERS_STATEMENT_TIMEOUT_MS": (
        10_000,
        "PostgreSQL statement timeout of request-time queries (API, host events), in "
        "milliseconds; a query stopped by it answers 503 query_timeout, a group it stops is "
        "marked failing. None or 0: no timeout.",
    ),
    "CUSTOMERS_JOB_STATEMENT_TIMEOUT_MS": (
        None,
        "PostgreSQL statement timeout of jobs, migrations and CLI commands, in milliseconds. "
        "None: no timeout.",
    ),
    "CUSTOMERS_REDIS_URL": (
        None,
        "Redis for RQ jobs. Unset: the host's REDIS_URL; unset too: jobs run inline after commit.",
    ),
    "CUSTOMERS_QUEUE": ("customers", "Name of the RQ queue."),
    "CUSTOMERS_REDIS_CONNECT_TIMEOUT": (
        5,
        "Seconds a connection attempt to Redis may take before the job stays pending in the "
        "outbox (a socket_connect_timeout in the Redis URL wins).",
    ),
    "CUSTOMERS_RELAY_INTERVAL": (
        60,
        "Seconds between two outbox relays of a `flask customers worker` (it also relays when "
        "it starts).",
    ),
    "CUSTOMERS_OUTBOX_KEEP_HOURS": (
        24,
        "Hours a relayed outbox row is kept before the sweep deletes it. None keeps them.",
    ),
    "CUSTOMERS_CAPTURE_MODE": (
        "inline",
        "inline: host events are applied inside the hook call; queue: the hook stores the event "
        "and a job applies it (the host pays one INSERT and one queue push).",
    ),
    "CUSTOMERS_INBOX_BATCH": (
        100,
        "Queue mode: most events a worker applies in one transaction (each still exactly once, "
        "in order per contact).",
    ),
    "CUSTOMERS_INBOX_LANES": (
        16,
        "Queue mode: lanes per store; one contact's events share a lane, applied in order, and "
        "workers drain different lanes at once.",
    ),
    "CUSTOMERS_DEFAULT_STORE": ("default", "Store id used when no current_store hook answers."),
    "CUSTOMERS_DEFAULT_LOCALE": (
        "en",
        "Language of API error messages (en, ar, he, it) when neither the current_locale hook "
        "nor the request's Accept-Language names one the plugin speaks.",
    ),
    "CUSTOMERS_DEFAULT_REGION": (
        None,
        "ISO 3166-1 region for phone numbers written without a country code (e.g. SA, IL, IT).",
    ),
    "CUSTOMERS_CURRENCY": ("USD", "Currency of total_spent; orders in others are not summed."),
    "CUSTOMERS_ADDRESS_METHOD": (
        "free_text",
        "How customers' addresses are written: free_text (lines), national_address (the Saudi "
        "National Address fields are required) or map_location (a latitude/longitude point is "
        "required). A store may override it (PATCH /settings).",
    ),
    "CUSTOMERS_IMPORT_SUBSCRIBE": (
        False,
        "Default of an import's subscribe option (mark every imported customer subscribed to "
        "marketing) when the import does not say.",
    ),
    "CUSTOMERS_SMS_SENDER_NAME": (
        None,
        "Sender name of text messages (letters and digits, at most 11 characters): one name or "
        "{store_id: name} (key '*' for the others); a store may override it (/settings). "
        "Required to send SMS: without it a send answers 409 sms_sender_missing.",
    ),
    "CUSTOMERS_PAGE_SIZE": (50, "Default page size of lists."),
    "CUSTOMERS_MAX_PAGE_SIZE": (200, "Hard maximum page size; larger limits answer 422."),
    "CUSTOMERS_MAX_UPLOAD_BYTES": (10 * 1024 * 1024, "Largest accepted upload (413 above)."),
    "CUSTOMERS_ATTACHMENTS_FOLDER": (
        None,
        "Folder of the built-in attachment store (photos, files). Unset: customers_attachments "
        "in the app's instance folder. A store_attachment hook implementation replaces it.",
    ),
    "CUSTOMERS_NOTE_TYPES": (
        [],
        "Note types a store adds to the built-in note, meeting_summary and call_summary "
        "(names of 1 to 40 lowercase letters, digits and underscores).",
    ),
    "CUSTOMERS_NOTE_FILE_MAX_BYTES": (
        5 * 1024 * 1024,
        "Largest file attached to a note (413 above; the request also stays within "
        "CUSTOMERS_MAX_UPLOAD_BYTES).",
    ),
    "CUSTOMERS_NOTE_FILE_TYPES": (
        ["application/pdf", "image/gif", "image/jpeg", "image/png", "image/webp", "text/plain"],
        "Types of file a note accepts, judged by the file's content (415 otherwise); a subset "
        "of application/pdf, image/gif, image/jpeg, image/png, image/webp and text/plain.",
    ),
    "CUSTOMERS_INBOUND_SECRET": (
        None,
        "Signing secret of inbound email deliveries (POST /inbound/email: HMAC-SHA256 of the "
        "timestamp and the raw body). Unset: the endpoint answers 404 inbound_disabled.",
    ),
    "CUSTOMERS_INBOUND_TOLERANCE_SECONDS": (
        300,
        "How far a delivery's signed timestamp may be from the server's clock (401 beyond): "
        "a captured delivery cannot be replayed later.",
    ),
    "CUSTOMERS_INBOUND_MAX_BYTES": (
        25 * 1024 * 1024,
        "Largest inbound email accepted, attachments included (413 above, before reading).",
    ),
    "CUSTOMERS_INBOUND_FILE_MAX_BYTES": (
        5 * 1024 * 1024,
        "Largest attachment of an inbound email that is kept (larger ones are left out).",
    ),
    "CUSTOMERS_INBOUND_FILE_MAX_COUNT": (
        10,
        "Most attachments of one inbound email that are kept (the others are left out).",
    ),
    "CUSTOMERS_INBOUND_FILE_TYPES": (
        ["application/pdf", "image/gif", "image/jpeg", "image/png", "image/webp", "text/plain"],
        "Types of attachment an inbound email keeps, judged by content (others are left "
        "out); a subset of application/pdf, image/gif, image/jpeg, image/png, image/webp "
        "and text/plain.",
    ),
    "CUSTOMERS_FRAUD_SHARING_STORES": (
        (),
        "Stores that share fraud signals: their blocks are reported to fraud_report plugins "
        "and their cards ask fraud_signals (opt-in; see docs/security/fraud-network.md).",
    ),
    "CUSTOMERS_MERGE_UNDO_HOURS": (
        72,
        "Hours a merge of duplicate customers can be undone (POST /merges/{id}/undo).",
    ),
    "CUSTOMERS_MAX_BULK": (10_000, "Most customers one bulk action may touch (422 above)."),
    "CUSTOMERS_TRANSFER_FOLDER": (
        None,
        "Folder of uploaded import files and finished export files (must be shared by web "
        "processes and workers). Unset: customers_transfer in the app's instance folder.",
    ),
    "CUSTOMERS_IMPORT_MAX_BYTES": (
        200 * 1024 * 1024,
        "Largest accepted import file (413 above, checked before parsing).",
    ),
    "CUSTOMERS_IMPORT_CHUNK_ROWS": (
        2000,
        "Rows an import validates and writes per transaction (its checkpoint granularity).",
    ),
    "CUSTOMERS_IMPORT_PARALLEL_BYTES": (
        4 * 1024 * 1024,
        "Import files of this size or more are validated by CUSTOMERS_IMPORT_WORKERS processes "
        "(forked by the job); smaller ones in the job's own process. None: never.",
    ),
    "CUSTOMERS_IMPORT_WORKERS": (
        1,
        "Processes that validate a large import file's rows (see CUSTOMERS_IMPORT_PARALLEL_BYTES); "
        "1: the job's own process, right where PostgreSQL shares two cores with the job.",
    ),
    "CUSTOMERS_LONG_JOB_TIMEOUT": (
        6 * 3600,
        "Seconds RQ lets a job that walks a whole file or store run (imports, undo, exports, "
        "group refreshes, stats rebuild) before stopping it; other jobs keep RQ's 180.",
    ),
    "CUSTOMERS_IMPORT_STALL_MINUTES": (
        30,
        "Minutes without progress after which the sweep marks a validating or importing batch "
        "failed (its worker died); it can then be resumed. None turns the check off.",
    ),
    "CUSTOMERS_EXPORT_TTL_DAYS": (
        7,
        "Days an export job's file is kept: then the sweep deletes it and the export is "
        "expired (its download answers 410). None keeps the files.",
    ),
    "CUSTOMERS_LOAD_ENTRY_POINTS": (
        True,
        "Load third-party plugins from the customers_plugin entry-point group.",
    ),
    "CUSTOMERS_PLUGINS": ((), "Extra plugin objects (or import paths) to register."),
    # -- wallet, wishlists, review requests --
    "CUSTOMERS_WALLET_CURRENCY": (
        None,
        "Currency of customer wallets. Unset: CUSTOMERS_CURRENCY.",
    ),
    "CUSTOMERS_WISHLIST_MAX_ITEMS": (
        500,
        "Most products one wishlist holds: adding another answers 409 wishlist_full (the "
        "on_wishlist_changed hook raises WishlistFull). None: no bound.",
    ),
    "CUSTOMERS_SIGNING_KEY": (
        None,
        "Key that signs review-request links. Unset: the app's SECRET_KEY.",
    ),
    "CUSTOMERS_REVIEW_PAGE_URL": (
        None,
        "The host's review page, with a {token} placeholder, e.g. "
        "https://shop.example/reviews?token={token}. Required to send review requests.",
    ),
    "CUSTOMERS_REVIEW_LINK_MAX_AGE_DAYS": (30, "Days a review-request link stays valid."),
    "CUSTOMERS_REVIEW_REQUEST_DAYS": (
        7,
        "Days after delivery before the automatic review request; None turns it off. A dict "
        "{store_id: days} sets it per store (key '*' for the others).",
    ),
    "CUSTOMERS_REVIEW_SENDING_TIMEOUT_MINUTES": (
        30,
        "Minutes a review request may stay 'sending' before the sweep marks it failed with "
        "error 'interrupted' (its sender died; it is never sent again automatically). None "
        "turns the check off.",
    ),
    "CUSTOMERS_REVIEW_REQUEST_CHANNEL": (
        "email",
        "Channel of review requests (email, sms, …; send_message delivers it). A dict "
        "{store_id: channel} sets it per store (key '*' for the others).",
    ),
    "CUSTOMERS_REVIEW_REQUEST_SUBJECT": (
        "How was your order?",
        "Subject of review-request emails ({name} is the customer's name).",
    ),
    "CUSTOMERS_REVIEW_REQUEST_BODY": (
        "Hello {name},\n\nThank you for your order. Tell us what you think of it: {link}\n",
        "Text of review-request messages ({name}, {link}).",
    ),
    "CUSTOMERS_TIMEZONE": (
        "UTC",
        "The store's timezone (an IANA name such as Asia/Riyadh): a task's due time without an "
        "offset is read in it, and 'due today' means today there. Stored and answered in UTC.",
    ),
    "CUSTOMERS_TASK_REMINDER_SUBJECT": (
        "Task due: {title}",
        "Subject of a task reminder to its assignee ({title}).",
    ),
    "CUSTOMERS_TASK_REMINDER_BODY": (
        'Hello {name},\n\nThe task "{title}" is due now ({due_at} UTC).\n',
        "Text of a task reminder ({name}: the assignee's name, {title}, {due_at}).",
    ),
    # -- messages --
    "CUSTOMERS_MESSAGE_TEMPLATES": (
        {},
        "Message templates: {name: {language: {'subject': ..., 'body': ...}}}; the version in "
        "the customer's language is used (then its primary subtag, then '*', then the first). "
        "Placeholders {name}, {first_name}, {store}, {field:KEY}.",
    ),
    "CUSTOMERS_STORE_NAMES": (
        {},
        "Store names for the {store} placeholder: {store_id: name} (key '*' for the others). "
        "Unset: the store id.",
    ),
    "CUSTOMERS_MESSAGE_RATE_PER_MINUTE": (
        60,
        "Messages a store may queue (single sends: 429 with Retry-After above it) and send (the "
        "send job defers the rest) per minute. A dict {store_id: n} sets it per store; None: no "
        "limit.",
    ),
    "CUSTOMERS_MESSAGE_SENDING_TIMEOUT_MINUTES": (
        30,
        "Minutes a message may stay 'sending' before the sweep marks it failed with reason "
        "'interrupted' (its sender died; never sent again automatically). None turns it off.",
    ),
    "CUSTOMERS_PUBLIC_URL": (
        None,
        "The public base URL of the app (e.g. https://shop.example) that unsubscribe links "
        "start with. Required to send marketing email.",
    ),
    "CUSTOMERS_UNSUBSCRIBE_FOOTER": (
        "To stop receiving these emails: {link}",
        "Line added under every marketing email ({link}: its unsubscribe link).",
    ),
    "CUSTOMERS_REPLY_ADDRESS": (
        None,
        "Reply address of outgoing email with a {token} placeholder for the thread's reply "
        "token, e.g. reply+{token}@mail.shop.example (sent as Reply-To). Unset: no Reply-To.",
    ),
    "CUSTOMERS_DELIVERY_SIGNING_SECRET": (
        None,
        "Secret of the providers' delivery-report webhook (POST {prefix}/deliveries/{channel}, "
        "header X-Customers-Signature: sha256=HMAC of the body). Unset: the webhook answers 401.",
    ),
    "CUSTOMERS_SMTP_HOST": (None, "SMTP server of the built-in email channel; unset: no email."),
    "CUSTOMERS_SMTP_PORT": (587, "SMTP port."),
    "CUSTOMERS_SMTP_SECURITY": ("starttls", "SMTP connection security: starttls, ssl or none."),
    "CUSTOMERS_SMTP_USER": (None, "SMTP user name (unset: no login)."),
    "CUSTOMERS_SMTP_PASSWORD": (None, "SMTP password."),
    "CUSTOMERS_SMTP_SENDER": (None, "From address of the plugin's emails (required for email)."),
    "CUSTOMERS_SMTP_TIMEOUT": (10, "Seconds before an SMTP connection attempt gives up."),
}


def per_store(value: Any, store_id: str, default: Any = None) -> Any:
    """A setting that is either one value or ``{store_id: value, "*": fallback}``."""
    if isinstance(value, dict):
        return value.get(store_id, value.get("*", default))
    return value


def apply_defaults(config: dict[str, Any]) -> None:
    for key, (default, _doc) in DEFAULTS.items():
        config.setdefault(key, default.copy() if isinstance(default, dict) else default)
