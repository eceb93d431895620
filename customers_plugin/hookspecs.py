"""The whole hook contract of customers-plugin, in one file.

Every hook is called with keyword arguments. An implementation may accept fewer arguments than
the spec lists, so hooks can gain arguments later without breaking plugins. Plugins are found
through the ``customers_plugin`` entry-point group and mark their functions with
``customers_plugin.hookimpl``.

Five families:

1. host events -> plugin (``on_*``): the host calls them after committing its own work;
2. plugin -> third parties (``customer_*``, ``group_*``, ``message_*``, ``wishlist_*``):
   notifications sent after the plugin's transaction commits; a failing implementation is
   logged and skipped;
3. plugin -> host services: the host answers questions only it can answer;
4. extension points (``register_*``, ``send_message``, attachments, ``fraud_signals``);
5. checkout answers: the host asks, the plugin answers from its group rules.

This module holds specifications only: empty bodies, one docstring each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

import pluggy

if TYPE_CHECKING:
    from flask import Request

    from .events import (
        BookingMade,
        BookingUpdated,
        Contact,
        CustomerInfo,
        CustomerSignedUp,
        FieldChange,
        FormSubmitted,
        OrderPlaced,
        OrderUpdated,
        PriceDrop,
        ProductPrice,
        ReviewSubmitted,
        ShopperAccount,
        WalletSpend,
        WishlistChanged,
    )

PROJECT_NAME = "customers"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# ---------------------------------------------------------------------------------------------
# 1. Host events -> plugin. Called by the host after its own commit. The plugin's own
#    implementation runs first and commits before any third-party implementation runs.
#    Each is idempotent on (store_id, source, external id).
# ---------------------------------------------------------------------------------------------


@hookspec
def on_order_placed(event: OrderPlaced) -> str | None:
    """The host committed a new order.

    Creates or updates the contact (matched by normalised email, then phone), records the order
    summary, adds the order to the customer's stats and writes the activity log.

    :param event: the order, its contact and its facts.
    :return: the plugin's implementation returns the customer's id; results of all
        implementations come back as a list.
    """


@hookspec
def on_order_updated(event: OrderUpdated) -> str | None:
    """An order changed status (paid, shipped, cancelled, refunded, …).

    Cancelling or refunding an order takes it out of ``orders_count`` and ``total_spent``;
    cancelling adds it to ``cancelled_orders_count``. An update for an order the plugin has not
    seen is recorded as a new order summary, never dropped.

    :param event: the order id, its new status and optionally its new total.
    :return: the customer's id (plugin's implementation).
    """


@hookspec
def on_booking(event: BookingMade) -> str | None:
    """A booking was made for a service.

    Records the booking with its form answers, counts it in ``bookings_count`` and labels the
    customer with the booked service (an automatic tag).

    :param event: the booking, its contact, service, time and answers.
    :return: the customer's id (plugin's implementation).
    """


@hookspec
def on_booking_updated(event: BookingUpdated) -> str | None:
    """A booking was rescheduled, cancelled, attended, marked no-show or paid.

    A cancelled booking leaves ``bookings_count``.

    :param event: the booking id and its new status, payment status or time.
    :return: the customer's id (plugin's implementation).
    """


@hookspec
def on_form_submit(event: FormSubmitted) -> str | None:
    """A visitor sent a form. Creates or updates the contact (source ``forms``) and stores the
    answers; ``subscribe_to_marketing`` records a marketing consent from the form.

    :param event: the submission, its form name and answers.
    :return: the customer's id (plugin's implementation).
    """


@hookspec
def on_review_submitted(event: ReviewSubmitted) -> str | None:
    """A customer rated a product. Records the review and updates ``reviews_count`` and the
    customer's average rating.

    :param event: the review, its product, rating and order.
    :return: the customer's id (plugin's implementation).
    """


@hookspec
def on_customer_signup(event: CustomerSignedUp) -> str | None:
    """A visitor created an account on the storefront. Records the contact (as any unverified
    event does), links the host's user id to a customer and records the marketing consent
    given at sign-up.

    The link is made only through an address the host has verified (``email_verified``,
    ``phone_verified``): to the customer whose primary email (then phone) it is, unless that
    customer is linked to another account, or to the customer this sign-up created. An
    unverified sign-up links nothing: fire the event again once the address is verified (or
    let ``current_customer`` report it verified), a replay changes nothing. An account is
    linked to one customer per store, and a link is never moved.

    :param event: the host's user id, contact, and which of its addresses are verified.
    :return: the id of the linked customer, else of the customer the contact was recorded on
        (plugin's implementation).
    """


@hookspec
def on_wishlist_changed(event: WishlistChanged) -> str | None:
    """A customer added a product to, or removed it from, a wishlist the host keeps itself.

    Adding keeps the product's name, price and currency at the time of adding (adding a product
    already there changes nothing); removing an absent product changes nothing. Either writes
    the activity log and re-evaluates the customer's groups (condition ``wishlist_size``).
    Hosts that use the plugin's own storefront API (``/me/wishlist``) need not call it.

    :param event: the product, ``action`` (``added`` or ``removed``) and, when added, its name,
        price and currency.
    :return: the customer's id (plugin's implementation).
    """


# ---------------------------------------------------------------------------------------------
# 2. Plugin -> third parties. Sent once, after the plugin's transaction commits; dropped if it
#    rolls back. An implementation that raises is logged and skipped; nothing is lost.
# ---------------------------------------------------------------------------------------------


@hookspec
def customer_created(customer: CustomerInfo) -> None:
    """A customer was created (by a host event, the API, an import or a merge).

    :param customer: a snapshot of the new customer.
    """


@hookspec
def customer_updated(customer: CustomerInfo, changes: Sequence[FieldChange]) -> None:
    """Fields of a customer changed. Stats counters are not reported here.

    :param customer: a snapshot after the change.
    :param changes: one ``FieldChange(field, old, new)`` per changed field.
    """


@hookspec
def customer_deleted(store_id: str, customer_id: str) -> None:
    """A customer and their personal data were deleted.

    :param store_id: the store the customer belonged to.
    :param customer_id: the id the customer had.
    """


@hookspec
def customer_blocked(customer: CustomerInfo, reason: str, details: str | None) -> None:
    """A merchant blocked a customer.

    :param customer: a snapshot after blocking.
    :param reason: one of the fixed block reasons (see ``BLOCK_REASONS``).
    :param details: the merchant's free-text details, if any.
    """


@hookspec
def customer_unblocked(customer: CustomerInfo) -> None:
    """A merchant lifted a block.

    :param customer: a snapshot after unblocking.
    """


@hookspec
def customers_merged(store_id: str, kept_id: str, merged_ids: Sequence[str]) -> None:
    """Duplicate customers were merged into one.

    :param store_id: the store.
    :param kept_id: the customer that remains.
    :param merged_ids: the customers that were folded into it and no longer exist.
    """


@hookspec
def group_membership_changed(
    store_id: str, group_id: str, added_ids: Sequence[str], removed_ids: Sequence[str]
) -> None:
    """Customers joined or left a customer group.

    :param store_id: the store.
    :param group_id: the group.
    :param added_ids: customers that joined.
    :param removed_ids: customers that left.
    """


@hookspec
def message_received(customer: CustomerInfo, message_id: str, channel: str) -> None:
    """A customer sent the store a message (a reply in a thread, a contact-form message).

    :param customer: a snapshot of the sender.
    :param message_id: the stored message.
    :param channel: ``email``, ``sms``, ``form``, …
    """


@hookspec
def wishlist_price_dropped(drop: PriceDrop) -> None:
    """Wished products got cheaper: the host may offer those customers a discount.

    Sent by the ``wishlist_price_drops`` job for each product whose current price (from
    ``product_prices``) is below the price some customers saw when they added it. Each wish is
    announced once per lower price: a later, lower price is announced again.

    :param drop: the product, its new price and currency, and the wishes (customer id, price and
        date at adding) it now undercuts.
    """


# ---------------------------------------------------------------------------------------------
# 3. Plugin -> host services. The host implements these; each stops at the first non-None
#    result.
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def current_store(request: Request) -> str | None:
    """Which store this request acts on. Stops at the first non-None result.

    :param request: the Flask request.
    :return: the store id; ``None`` lets another implementation answer. With no answer at all
        the plugin uses ``CUSTOMERS_DEFAULT_STORE`` (``"default"``).
    """


@hookspec(firstresult=True)
def authorize(request: Request, permission: str, store_id: str) -> bool | None:
    """May this request do ``permission`` on ``store_id``? Stops at the first non-None result.

    Permissions: ``customers.read``, ``customers.write``, ``customers.delete``,
    ``customers.export``, ``customers.block``, ``customers.import``, ``groups.manage``,
    ``settings.manage``.

    :return: ``True`` allows; ``False`` answers 403; ``None`` (no implementation, or nobody knows
        the caller) answers 401. Admin endpoints are denied by default.
    """


@hookspec(firstresult=True)
def current_customer(request: Request, store_id: str) -> ShopperAccount | None:
    """Who is signed in on the storefront (for ``/me`` endpoints). Stops at the first non-None.

    The plugin serves the customer linked to the account's ``user_id`` (``host_user_id``),
    never one found by email or phone. An account not linked yet is linked here, once, when an
    address marked verified is some unlinked customer's primary email (then phone).

    :return: ``ShopperAccount(user_id, email, email_verified, phone, phone_verified, name)``
        for the signed-in account, or ``None`` for a guest (``/me`` answers 401).
    """


@hookspec(firstresult=True)
def list_staff(store_id: str) -> Sequence[dict[str, str]] | None:
    """The store's staff members that tasks can be assigned to. Stops at the first non-None.

    :return: a list of ``{"id": …, "name": …, "email": …}``.
    """


@hookspec(firstresult=True)
def place_order(
    store_id: str, customer: CustomerInfo, items: Sequence[dict[str, Any]], coupon_code: str | None
) -> str | None:
    """Create an order in the host for a customer (e.g. from the merchant's card). Stops at the
    first non-None result.

    :return: the host's order id.
    """


@hookspec(firstresult=True)
def add_to_cart(store_id: str, customer: CustomerInfo, product_id: str) -> bool | None:
    """Put a product in the customer's cart (wishlist "move to cart"). Stops at the first
    non-None result.

    :return: ``True`` when added, ``False`` when the product is unavailable.
    """


@hookspec(firstresult=True)
def product_prices(store_id: str, product_ids: Sequence[str]) -> Mapping[str, ProductPrice] | None:
    """The current prices of products (for the wishlist price-drop job). Stops at the first
    non-None result.

    :param store_id: the store.
    :param product_ids: up to 500 of the host's product ids per call.
    :return: ``{product_id: ProductPrice(price, currency)}``; leave out products that no longer
        exist. ``None`` (no implementation): no price drop is ever announced.
    """


# ---------------------------------------------------------------------------------------------
# 4. Extension points. Third parties add behaviour.
# ---------------------------------------------------------------------------------------------


@hookspec
def register_field_types(register: Callable[..., None]) -> None:
    """Add custom-field types beyond text, number, date and url.

    Call ``register(name, parse, label=None)`` once per type: ``parse(value)`` returns the
    canonical string to store or raises ``ValueError`` with a message for the user. A duplicate
    name is an error; a plugin that fails here is logged and skipped.
    """


@hookspec
def register_condition_types(register: Callable[..., None]) -> None:
    """Add group condition kinds (fields a group condition can test).

    Call ``register(name, column, value_type, ops=None, *, label=None, choices=None)``:
    ``column(store_id)`` returns a SQLAlchemy expression over the customers table;
    ``value_type`` is ``money``, ``integer``, ``decimal``, ``date``, ``string`` or ``boolean``;
    ``ops`` defaults to every operator that type supports; ``choices`` limits string values.
    A duplicate name is an error; a plugin that fails here is logged and skipped.
    """


@hookspec(firstresult=True)
def send_message(
    store_id: str, channel: str, to: str, subject: str | None, body: str
) -> str | None:
    """Deliver a message on a channel. Stops at the first non-None result.

    The plugin implements ``email`` over SMTP; an SMS provider plugin implements ``sms``.

    :return: the provider's message id when this implementation handled the channel, or
        ``None`` to let another implementation try.
    """


@hookspec(firstresult=True)
def store_attachment(
    store_id: str, filename: str, content_type: str, stream: BinaryIO
) -> str | None:
    """Store an uploaded file (note attachment, photo). Stops at the first non-None result.

    :return: an opaque storage key.
    """


@hookspec(firstresult=True)
def open_attachment(store_id: str, key: str) -> BinaryIO | None:
    """Open a stored attachment for reading. Stops at the first non-None result."""


@hookspec(firstresult=True)
def delete_attachment(store_id: str, key: str) -> bool | None:
    """Delete a stored attachment the plugin no longer references (a replaced or removed
    photo, a deleted customer's photo). Called only after the change that dropped the
    reference has committed. Stops at the first non-None result.

    :return: ``True`` when this implementation deleted it, ``None`` if the key is not one of
        its own (another implementation may hold it).
    """


@hookspec
def fraud_signals(customer: CustomerInfo) -> Sequence[str] | None:
    """Signals that a customer may not be serious (shown on the card). All results are collected.

    :return: short labels such as ``"many_cancelled_orders"``.
    """


# ---------------------------------------------------------------------------------------------
# 5. Checkout answers. The plugin implements them from group rules; the host calls them.
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def allowed_payment_methods(
    store_id: str, user_id: str | None, contact: Contact | None, methods: Sequence[str]
) -> list[str] | None:
    """Which of ``methods`` this checkout may use. Stops at the first non-None result.

    Restrictions follow both the signed-in account and the checkout contact: the groups of the
    customer linked to ``user_id`` and of the customer the contact matches (email, then phone)
    hide their methods, so a guest checkout does not lift a restriction.

    :param user_id: the host's signed-in account id, or ``None`` for a guest.
    :param contact: the checkout contact, or ``None``.
    :return: the methods left once those groups have hidden theirs.
    """


@hookspec(firstresult=True)
def coupon_applies(store_id: str, user_id: str | None, coupon_code: str) -> bool | None:
    """May the signed-in account use the coupon? Stops at the first non-None result.

    A benefit: only the groups of the customer linked to ``user_id`` count, never a contact
    match (a guest is in no group).

    :param user_id: the host's signed-in account id, or ``None`` for a guest.
    :return: ``False`` when the coupon is limited to groups the customer is not in; ``None``
        when no group rule mentions the coupon.
    """


@hookspec(firstresult=True)
def free_shipping_applies(store_id: str, user_id: str | None) -> bool | None:
    """Does a group of the signed-in account's customer grant free shipping? Stops at the first
    non-None. A benefit: a guest (``user_id=None``) and a contact match get none."""


@hookspec(firstresult=True)
def spend_wallet(
    store_id: str, user_id: str | None, order_id: str, amount: Decimal, currency: str
) -> WalletSpend | None:
    """Pay ``amount`` of an order from the signed-in account's wallet. Stops at the first
    non-None.

    The plugin debits atomically (never below zero) with the idempotency key
    ``order:<order_id>``: asking twice for the same order debits once and answers ``replayed``.

    :param store_id: the store.
    :param user_id: the host's signed-in account id: the wallet is the one of the customer
        linked to it (``host_user_id``), never one found by email or phone; an account with
        no linked customer (or ``None``) answers ``unknown_customer``.
    :param order_id: the host's order id.
    :param amount: a positive Decimal, in the wallet's currency.
    :param currency: must be the wallet currency (``CUSTOMERS_WALLET_CURRENCY``).
    :return: ``WalletSpend(status, amount, currency, balance, transaction_id)``; check ``ok``.
    """
