"""The whole hook contract of customers-plugin, in one file.

Every hook is called with keyword arguments. An implementation may accept fewer arguments than
the spec lists, so hooks can gain arguments later without breaking plugins. Plugins are found
through the ``customers_plugin`` entry-point group and mark their functions with
``customers_plugin.hookimpl``.

Five families:

1. host events -> plugin (``on_*``): the host calls them after committing its own work;
2. plugin -> third parties (``customer_*``, ``group_*``, ``message_*``, ``wishlist_*``,
   ``coupon_*``): notifications sent after the plugin's transaction commits; a failing
   implementation is logged and skipped;
3. plugin -> host services: the host answers questions only it can answer;
4. extension points (``register_*``, ``send_message``, attachments, ``fraud_report`` /
   ``fraud_signals``);
5. checkout answers: the host asks, the plugin answers from its group rules (and personal
   coupons).

This module holds specifications only: empty bodies, one docstring each. Each docstring is the
hook's reference on the documentation site (docs/hooks.md renders it): Google style, with an
``Args:`` entry per argument, ``Returns:`` when the hook answers, and an ``Example:`` holding a
fenced python block. tests/core/test_docs.py enforces that shape.
"""

from __future__ import annotations

import datetime as dt
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
        CouponInfo,
        CustomerInfo,
        CustomerSignedUp,
        Discount,
        FieldChange,
        FormSubmitted,
        HostRefusal,
        OrderOutcome,
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
    summary, adds the order to the customer's stats and writes the activity log. A
    ``coupon_code`` counts one use of the customer's personal coupon with that code; an order a
    member of staff placed through ``place_order`` is linked to them. Delivering the same order
    twice changes nothing the second time.

    Args:
        event: an ``OrderPlaced``: ``order_id``, ``total`` (Decimal), ``currency``, ``status``,
            ``payment_status``, ``items`` (``LineItem(product_id, name, quantity,
            unit_price)``), ``coupon_code`` (the coupon used, at most 64 characters), plus
            ``store_id``, ``contact`` and ``occurred_at`` like every event.

    Returns:
        The customer's id (the plugin's implementation; with ``CUSTOMERS_CAPTURE_MODE =
        "queue"`` nothing). Results of all implementations come back as a list.

    Example:
        ```python
        customers.hook.on_order_placed(
            event=OrderPlaced(
                store_id="default",
                order_id="1001",
                total=Decimal("249.90"),
                currency="SAR",
                contact=Contact(email="sara@example.sa", phone="0501234567", name="سارة"),
            )
        )
        ```
    """


@hookspec
def on_order_updated(event: OrderUpdated) -> str | None:
    """An order changed status (paid, shipped, delivered, cancelled, refunded, …).

    Cancelling or refunding an order takes it out of ``orders_count`` and ``total_spent``;
    cancelling adds it to ``cancelled_orders_count``; re-opening counts it again. An update for
    an order the plugin has not seen is recorded and completed when the placement arrives.
    ``delivered`` schedules the automatic review request; ``cancelled`` or ``refunded`` gives
    back what ``spend_wallet`` debited for the order.

    Args:
        event: an ``OrderUpdated``: ``order_id``, the new ``status``, optionally
            ``payment_status``, ``total`` and ``currency``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_order_updated(
            event=OrderUpdated(
                store_id="default",
                order_id="1001",
                status="cancelled",
                contact=Contact(email="sara@example.sa"),
            )
        )
        ```
    """


@hookspec
def on_booking(event: BookingMade) -> str | None:
    """A booking was made for a service.

    Records the booking with its form answers, counts it in ``bookings_count`` and labels the
    customer with the booked service (an automatic tag).

    Args:
        event: a ``BookingMade``: ``booking_id``, ``service``, ``starts_at``, ``ends_at``,
            ``status``, ``payment_status``, ``staff``, ``price``, ``currency``,
            ``form_answers``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_booking(
            event=BookingMade(
                store_id="default",
                booking_id="b-77",
                service="Pilates",
                starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
                form_answers={"first_time": "yes"},
                contact=Contact(email="yael@example.co.il"),
            )
        )
        ```
    """


@hookspec
def on_booking_updated(event: BookingUpdated) -> str | None:
    """A booking was rescheduled, cancelled, attended, marked no-show or paid.

    A cancelled booking leaves ``bookings_count``.

    Args:
        event: a ``BookingUpdated``: ``booking_id``, the new ``status``, ``payment_status``
            (e.g. ``paid_in_person``), ``starts_at``, ``ends_at``, ``service``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_booking_updated(
            event=BookingUpdated(
                store_id="default",
                booking_id="b-77",
                status="confirmed",
                payment_status="paid_in_person",
                contact=Contact(email="yael@example.co.il"),
            )
        )
        ```
    """


@hookspec
def on_form_submit(event: FormSubmitted) -> str | None:
    """A visitor sent a form.

    Creates or updates the contact (source ``forms``) and stores the answers;
    ``subscribe_to_marketing`` records a marketing consent from the form (source ``form`` in the
    consent history). A public form is an unverified source: it never overwrites
    identity-bearing fields of a known customer.

    Args:
        event: a ``FormSubmitted``: ``submission_id``, ``form_name``, ``answers``,
            ``subscribe_to_marketing``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_form_submit(
            event=FormSubmitted(
                store_id="default",
                submission_id="f-9",
                form_name="Contattaci",
                answers={"messaggio": "Buongiorno"},
                contact=Contact(email="luca@esempio.it"),
            )
        )
        ```
    """


@hookspec
def on_review_submitted(event: ReviewSubmitted) -> str | None:
    """A customer rated a product.

    Records the review and updates ``reviews_count`` and the customer's average rating; the
    order it names counts as reviewed for review requests.

    Args:
        event: a ``ReviewSubmitted``: ``review_id``, ``product_id``, ``rating`` (1–5),
            ``order_id``, ``comment``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_review_submitted(
            event=ReviewSubmitted(
                store_id="default",
                review_id="r-1",
                product_id="p-5",
                rating=5,
                order_id="1001",
                contact=Contact(email="sara@example.sa"),
            )
        )
        ```
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
    let ``current_customer`` report it verified); a replay changes nothing. An account is
    linked to one customer per store, and a link is never moved.

    Args:
        event: a ``CustomerSignedUp``: ``user_id`` (the host's account id), the contact,
            ``email_verified`` / ``phone_verified`` (which addresses the host has verified)
            and ``marketing_consent``.

    Returns:
        The id of the linked customer, else of the customer the contact was recorded on (the
        plugin's implementation).

    Example:
        ```python
        customers.hook.on_customer_signup(
            event=CustomerSignedUp(
                store_id="default",
                user_id="42",
                email_verified=True,  # the account's email was confirmed by a link
                marketing_consent=True,
                contact=Contact(email="new@example.com"),
            )
        )
        ```
    """


@hookspec
def on_wishlist_changed(event: WishlistChanged) -> str | None:
    """A customer added a product to, or removed it from, a wishlist the host keeps itself.

    Adding keeps the product's name, price and currency at the time of adding (adding a product
    already there changes nothing); removing an absent product changes nothing. Either writes
    the activity log and re-evaluates the customer's groups (condition ``wishlist_size``).
    Hosts that use the plugin's own storefront API (``/me/wishlist``) need not call it.

    Args:
        event: a ``WishlistChanged``: ``product_id``, ``action`` (``added`` or ``removed``)
            and, when added, ``product_name``, ``price`` (Decimal) and ``currency``.

    Returns:
        The customer's id (the plugin's implementation).

    Example:
        ```python
        customers.hook.on_wishlist_changed(
            event=WishlistChanged(
                store_id="default",
                product_id="p-5",
                action="added",
                product_name="فستان سهرة",
                price=Decimal("349.00"),
                currency="SAR",
                contact=Contact(email="sara@example.sa"),
            )
        )
        ```
    """


# ---------------------------------------------------------------------------------------------
# 2. Plugin -> third parties. Sent once, after the plugin's transaction commits; dropped if it
#    rolls back. An implementation that raises is logged and skipped; nothing is lost.
# ---------------------------------------------------------------------------------------------


@hookspec
def customer_created(customer: CustomerInfo) -> None:
    """A customer was created (by a host event, the API, an import or a merge).

    Args:
        customer: a ``CustomerInfo`` snapshot of the new customer (id, store_id, email, phone,
            name, country, language, status, sources, tags, joined_at).

    Example:
        ```python
        @hookimpl
        def customer_created(customer):
            crm.push(customer.id, customer.email)
        ```
    """


@hookspec
def customer_updated(customer: CustomerInfo, changes: Sequence[FieldChange]) -> None:
    """Fields of a customer changed. Stats counters are not reported here.

    Also sent to every wearer of a tag that is renamed or deleted (field ``tags``), and for
    every customer an import updated.

    Args:
        customer: a ``CustomerInfo`` snapshot after the change.
        changes: one ``FieldChange(field, old, new)`` per changed field
            (``custom_fields.<key>`` for custom fields).

    Example:
        ```python
        @hookimpl
        def customer_updated(customer, changes):
            if any(change.field == "email" for change in changes):
                newsletter.resync(customer.id)
        ```
    """


@hookspec
def customer_deleted(store_id: str, customer_id: str) -> None:
    """A customer and their personal data were deleted, or erased by anonymising (``POST
    /customers/{id}/anonymize``: the id stays for the orders and the wallet ledger, the person
    is gone). Either way, forget everything you keep about this person.

    Args:
        store_id: the store the customer belonged to.
        customer_id: the id the customer had.

    Example:
        ```python
        @hookimpl
        def customer_deleted(store_id, customer_id):
            crm.forget(store_id, customer_id)
        ```
    """


@hookspec
def customer_blocked(customer: CustomerInfo, reason: str, details: str | None) -> None:
    """A merchant blocked a customer.

    Args:
        customer: a ``CustomerInfo`` snapshot after blocking.
        reason: one of ``fraud``, ``not_serious``, ``abusive_behaviour``,
            ``payment_problems``, ``fake_information``, ``spam``, ``other``.
        details: the merchant's free-text details, if any.

    Example:
        ```python
        @hookimpl
        def customer_blocked(customer, reason, details):
            fraud_team.alert(customer.id, reason)
        ```
    """


@hookspec
def customer_unblocked(customer: CustomerInfo) -> None:
    """A merchant lifted a block.

    Args:
        customer: a ``CustomerInfo`` snapshot after unblocking.

    Example:
        ```python
        @hookimpl
        def customer_unblocked(customer):
            fraud_team.close(customer.id)
        ```
    """


@hookspec
def customers_merged(store_id: str, kept_id: str, merged_ids: Sequence[str]) -> None:
    """Duplicate customers were merged into one.

    Args:
        store_id: the store.
        kept_id: the customer that remains.
        merged_ids: the customers that were folded into it and no longer exist.

    Example:
        ```python
        @hookimpl
        def customers_merged(store_id, kept_id, merged_ids):
            points.move(merged_ids, to=kept_id)
        ```
    """


@hookspec
def group_membership_changed(
    store_id: str, group_id: str, added_ids: Sequence[str], removed_ids: Sequence[str]
) -> None:
    """Customers joined or left a customer group.

    Sent after host events, admin changes, imports and full refreshes; deleting a group sends
    every member in ``removed_ids``.

    Args:
        store_id: the store.
        group_id: the group.
        added_ids: customers that joined.
        removed_ids: customers that left.

    Example:
        ```python
        @hookimpl
        def group_membership_changed(store_id, group_id, added_ids, removed_ids):
            mailing.sync_segment(group_id, add=added_ids, remove=removed_ids)
        ```
    """


@hookspec
def group_failed(store_id: str, group_id: str, reason: str) -> None:
    """A customer group could not be evaluated and is now marked failing.

    Capture goes on without it: events are recorded, the other groups keep working, and the
    group's membership stays as it was until it evaluates again (a full refresh succeeds, or
    the merchant edits it). Sent once when the group starts failing or its reason changes.

    Args:
        store_id: the store.
        group_id: the group.
        reason: what failed, naming the condition when a value is the cause
            (``conditions.1.value: …``) or the kind of database error; never customer data.

    Example:
        ```python
        @hookimpl
        def group_failed(store_id, group_id, reason):
            ops_channel.post(f"customer group {group_id} of {store_id} is failing: {reason}")
        ```
    """


@hookspec
def message_received(customer: CustomerInfo, message_id: str, channel: str) -> None:
    """A customer sent the store a message (a reply in a thread, a contact-form message).

    Args:
        customer: a ``CustomerInfo`` snapshot of the sender.
        message_id: the stored message.
        channel: ``email``, ``sms``, ``form``, …

    Example:
        ```python
        @hookimpl
        def message_received(customer, message_id, channel):
            helpdesk.notify(customer.id, message_id)
        ```
    """


@hookspec
def wishlist_price_dropped(drop: PriceDrop) -> None:
    """Wished products got cheaper: the host may offer those customers a discount.

    Sent by the ``wishlist_price_drops`` job for each product whose current price (from
    ``product_prices``) is below the price some customers saw when they added it. Each wish is
    announced once per lower price: a later, lower price is announced again.

    Args:
        drop: a ``PriceDrop(store_id, product_id, product_name, price, currency, wishes)``:
            ``product_name`` is the name ``product_prices`` gave (``None`` when it gave none:
            never a shopper's words); each of ``wishes`` is a ``Wish(customer_id, price,
            currency, added_at)`` with the price at adding.

    Example:
        ```python
        @hookimpl
        def wishlist_price_dropped(drop):
            for wish in drop.wishes:
                coupons.offer(drop.store_id, wish.customer_id, drop.product_id, percent=10)
        ```
    """


@hookspec
def coupon_assigned(customer: CustomerInfo, coupon: CouponInfo) -> None:
    """A coupon was assigned to one customer (``POST /customers/{id}/coupons`` or a wishlist
    gift): tell the customer, e.g. through a messages plugin.

    Args:
        customer: a ``CustomerInfo`` snapshot of the customer.
        coupon: a ``CouponInfo(id, store_id, customer_id, code, expires_at,
            uses_per_customer, product_id, discount)``; ``product_id`` and ``discount`` are
            set for a wishlist gift.

    Example:
        ```python
        @hookimpl
        def coupon_assigned(customer, coupon):
            if customer.email:
                mailer.send(customer.email, f"Your code: {coupon.code}")
        ```
    """


# ---------------------------------------------------------------------------------------------
# 3. Plugin -> host services. The host implements these; each stops at the first non-None
#    result.
# ---------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def current_store(request: Request) -> str | None:
    """Which store this API request acts on. Stops at the first non-None result.

    Args:
        request: the Flask request.

    Returns:
        The store id; ``None`` lets another implementation answer. With no answer at all the
        plugin uses ``CUSTOMERS_DEFAULT_STORE`` (``"default"``).

    Example:
        ```python
        @hookimpl
        def current_store(request):
            return request.headers.get("X-Store-Id")
        ```
    """


@hookspec(firstresult=True)
def authorize(request: Request, permission: str, store_id: str) -> bool | None:
    """May this request do ``permission`` on ``store_id``? Stops at the first non-None result.

    Admin endpoints are denied by default: without an implementation every one answers 401.
    The check runs before the request is parsed, so an unauthorised caller learns nothing from
    validation errors.

    Args:
        request: the Flask request (read your session, token or header from it).
        permission: one of ``customers_plugin.security.PERMISSIONS``: ``customers.read``
            (lists, cards, ledgers), ``customers.write`` (edit profiles, tags, notes),
            ``customers.delete`` (delete or anonymise), ``customers.export`` (exports, one
            customer's data export), ``customers.block``, ``customers.wallet`` (credit or debit
            a wallet), ``customers.import``, ``groups.manage``, ``settings.manage`` (custom
            field definitions and other store settings), ``orders.place`` (place an order for
            a customer) or ``coupons.manage`` (personal coupons, wishlist gifts).
        store_id: the store the request acts on (from ``current_store``).

    Returns:
        ``True`` allows; ``False`` answers 403; ``None`` (nobody knows the caller) answers 401.

    Example:
        ```python
        @hookimpl
        def authorize(request, permission, store_id):
            staff = staff_from_session(request)  # your own login
            if staff is None:
                return None  # 401
            return staff.store_id == store_id and permission in staff.permissions  # else 403
        ```
    """


@hookspec(firstresult=True)
def current_customer(request: Request, store_id: str) -> ShopperAccount | None:
    """Who is signed in on the storefront (for ``/me`` endpoints). Stops at the first non-None.

    The plugin serves the customer linked to the account's ``user_id`` (``host_user_id``),
    never one found by email or phone. An account not linked yet is linked here, once, when an
    address marked verified is some unlinked customer's primary email (then phone).

    Args:
        request: the Flask request.
        store_id: the store the request acts on.

    Returns:
        A ``ShopperAccount(user_id, email, email_verified, phone, phone_verified, name)`` for
        the signed-in account, or ``None`` for a guest (``/me`` endpoints then answer 401).

    Example:
        ```python
        @hookimpl
        def current_customer(request, store_id):
            user = flask_login.current_user
            if not user.is_authenticated:
                return None
            return ShopperAccount(
                user_id=str(user.id), email=user.email, email_verified=user.email_confirmed
            )
        ```
    """


@hookspec(firstresult=True)
def current_staff(request: Request, store_id: str) -> str | None:
    """Which staff member makes this admin API request. Stops at the first non-None result.

    Asked only after ``authorize`` allowed the request. The answer is the id the plugin
    records as who acted: a note's author and editor, who attached a file, a task's author
    (``created_by``), the activity log's and the wallet ledger's actor; the task list's
    ``mine=true`` filter reads it. Use the same ids as ``list_staff``. At most 128 characters
    of text; anything else, or no answer, records ``admin``.

    Args:
        request: the Flask request.
        store_id: the store the request acts on.

    Returns:
        The staff member's id, as ``list_staff`` gives it; ``None`` when the host cannot tell
        (tasks then have no author and ``mine=true`` answers 422).

    Example:
        ```python
        @hookimpl
        def current_staff(request, store_id):
            staff = staff_from_session(request)  # your own login
            return str(staff.id) if staff else None
        ```
    """


@hookspec(firstresult=True)
def current_locale(request: Request, store_id: str) -> str | None:
    """Which language this request's staff member or shopper reads. Stops at the first
    non-None result.

    The REST API writes its error messages (and the admin UI its pages) in this language when
    the plugin speaks it (``en``, ``ar``, ``he``, ``it``; ``ar_SA`` or ``he-IL`` count as
    ``ar`` and ``he``). Without an answer, or with one the plugin does not speak, the request's
    ``Accept-Language`` header decides, then ``CUSTOMERS_DEFAULT_LOCALE``.

    Args:
        request: the Flask request.
        store_id: the store the request acts on.

    Returns:
        A locale code (``"ar"``, ``"he_IL"``, ``"it-IT"``…), or ``None`` to let the
        ``Accept-Language`` header decide.

    Example:
        ```python
        @hookimpl
        def current_locale(request, store_id):
            staff = staff_from_session(request)  # your own login
            return staff.language if staff else None
        ```
    """


@hookspec(firstresult=True)
def list_staff(store_id: str) -> Sequence[dict[str, str]] | None:
    """The store's staff members that tasks can be assigned to. Stops at the first non-None.

    Args:
        store_id: the store.

    Returns:
        A list of dicts, one per staff member, with the keys ``id``, ``name`` and ``email``.

    Example:
        ```python
        @hookimpl
        def list_staff(store_id):
            return [{"id": str(u.id), "name": u.name, "email": u.email} for u in staff_of(store_id)]
        ```
    """


@hookspec(firstresult=True)
def place_order(
    store_id: str,
    customer: CustomerInfo,
    items: Sequence[dict[str, Any]],
    coupon_code: str | None,
    user_id: str | None,
    staff_id: str,
    note: str | None,
    idempotency_key: str,
) -> OrderOutcome | None:
    """Create an order in the host for a customer, for a member of staff (``POST
    /customers/{id}/orders``). Stops at the first non-None result.

    The host owns products, prices, stock and payment: it prices the items, applies the coupon
    by its own rules and either places the order or refuses it. The plugin has already checked
    the coupon against the customer's personal and group coupons (it applies, or no rule of the
    plugin mentions it). After committing the order, fire ``on_order_placed`` for it as for any
    order (also from inside this call): the plugin links it to the staff member who placed it.
    Never called twice for one ``idempotency_key``.

    Args:
        store_id: the store.
        customer: a ``CustomerInfo`` snapshot of the buyer.
        items: 1 to 100 lines ``{"product_id": str, "quantity": int}`` (quantity 1 to 1000),
            each product once.
        coupon_code: a coupon to apply (upper case), or ``None``.
        user_id: the host account linked to the customer (``host_user_id``), or ``None``.
        staff_id: who places the order (``current_staff``; ``admin`` when the host does not
            say).
        note: the staff member's note for the order (at most 1000 characters), or ``None``.
        idempotency_key: the request's ``Idempotency-Key`` (or one the plugin made): keep it
            with the order if you want to recognise a retry yourself.

    Returns:
        An ``OrderOutcome``, either ``OrderOutcome.placed(order_id, payment_status=…,
        payment_url=…)`` or ``OrderOutcome.refused(reason, message, conflict=…)``. ``None``
        (no implementation) answers 501 ``place_order_unsupported``.

    Example:
        ```python
        @hookimpl
        def place_order(store_id, customer, items, coupon_code, staff_id, note):
            if not stock.available(items):
                return OrderOutcome.refused("out_of_stock", "Not enough stock.", conflict=True)
            order = orders.create(customer.email, items, coupon_code, payment="pay_later")
            fire_order_placed(order)
            return OrderOutcome.placed(str(order.id), payment_status="pay_later")
        ```
    """


@hookspec(firstresult=True)
def issue_coupon(
    store_id: str, product_id: str, discount: Discount, expires_at: dt.datetime | None
) -> str | HostRefusal | None:
    """Create a single-use coupon for one product in the host's checkout (the merchant's
    wishlist gift, ``POST /customers/{id}/wishlist/{item_id}/gift``). Stops at the first
    non-None result.

    The plugin assigns the code to the customer as a personal coupon (one use) and fires
    ``coupon_assigned``; at checkout ``coupon_applies`` answers ``True`` for that customer only.

    Args:
        store_id: the store.
        product_id: the host's product id the coupon discounts.
        discount: a ``Discount(kind, value, currency)``: ``percent`` (0 to 100) or
            ``amount`` (in ``currency``).
        expires_at: when the coupon stops applying (UTC), or ``None``.

    Returns:
        The new coupon's code (at most 64 characters of letters, digits, ``-`` and ``_``), or
        a ``HostRefusal(reason, message, conflict=False)`` (e.g. the product is no longer
        sold), answered 409 or 422 with its reason. ``None`` (no implementation) answers 501
        ``issue_coupon_unsupported``.

    Example:
        ```python
        @hookimpl
        def issue_coupon(store_id, product_id, discount, expires_at):
            code = "GIFT-" + secrets.token_hex(4).upper()
            coupons.create(store_id, code, product_id, discount.kind, discount.value, expires_at)
            return code
        ```
    """


@hookspec(firstresult=True)
def add_to_cart(store_id: str, customer: CustomerInfo, product_id: str) -> bool | None:
    """Put a product in the customer's cart (wishlist "move to cart"). Stops at the first
    non-None result.

    Args:
        store_id: the store.
        customer: a ``CustomerInfo`` snapshot of the shopper.
        product_id: the host's product id.

    Returns:
        ``True`` when added, ``False`` when the product is unavailable.

    Example:
        ```python
        @hookimpl
        def add_to_cart(store_id, customer, product_id):
            return carts.add(customer.email, product_id)
        ```
    """


@hookspec(firstresult=True)
def product_prices(store_id: str, product_ids: Sequence[str]) -> Mapping[str, ProductPrice] | None:
    """The current prices and names of products: for the one product a shopper adds to the
    storefront wishlist (``POST /me/wishlist``: name, price and currency are the host's, never
    the shopper's) and for the wishlist price-drop job. Stops at the first non-None result.

    Args:
        store_id: the store.
        product_ids: up to 500 of the host's product ids per call.

    Returns:
        A dict of ``ProductPrice(price, currency, name=None)`` by product id; leave out products
        that no longer exist. ``None`` (no implementation) means no price drop is ever announced
        and the storefront wishlist answers 409 ``prices_unavailable``.

    Example:
        ```python
        @hookimpl
        def product_prices(store_id, product_ids):
            rows = Product.query.filter(Product.id.in_(product_ids)).all()
            return {str(p.id): ProductPrice(p.price, p.currency, name=p.name) for p in rows}
        ```
    """


# ---------------------------------------------------------------------------------------------
# 4. Extension points. Third parties add behaviour.
# ---------------------------------------------------------------------------------------------


@hookspec
def register_field_types(register: Callable[..., None]) -> None:
    """Add custom-field types beyond text, number, date and url (collected once per app).

    A duplicate name is an error; a plugin that fails here is logged and skipped.

    Args:
        register: call ``register(name, parse, label=None)`` once per type; ``parse(value)``
            returns the canonical string to store or raises ``ValueError`` with a message for
            the user.

    Example:
        ```python
        @hookimpl
        def register_field_types(register):
            def colour(value):
                if not (isinstance(value, str) and len(value) == 7 and value.startswith("#")):
                    raise ValueError("must be a colour like #a1b2c3")
                return value.lower()

            register("colour", colour, label="Colour")
        ```
    """


@hookspec
def register_condition_types(register: Callable[..., None]) -> None:
    """Add group condition kinds (fields a group condition can test).

    The operators and the missing-value rule are compiled for the new kind. Values are
    checked against the range of the column's SQL type (32- or 64-bit integer, Numeric
    precision, money, dates). A duplicate name is an error; a plugin that fails here is logged
    and skipped. See ``hooks/profile_conditions/`` for a complete plugin.

    Args:
        register: call ``register(name, column, value_type, ops=None, *, label=None,
            choices=None, minimum=None, maximum=None, validate=None)``: ``column(store_id)``
            returns a SQLAlchemy expression over the customers table
            (``customers_plugin.customer_column(attribute)`` gives one for each offered customer
            attribute, so a plugin never imports the models); ``value_type`` is ``money``,
            ``integer``, ``decimal``, ``date``, ``string`` or ``boolean``; ``ops`` defaults to
            every operator that type supports; ``choices`` limits string values;
            ``minimum``/``maximum`` narrow the column's range; ``validate(value)`` returns the
            value to use or raises ``ValueError`` with a message the merchant sees under
            ``conditions.N.value`` (422).

    Example:
        ```python
        from customers_plugin import customer_column, hookimpl

        @hookimpl
        def register_condition_types(register):
            register("language", customer_column("language"), "string", ops=("eq", "in"))
        ```
    """


@hookspec(firstresult=True)
def send_message(
    store_id: str,
    channel: str,
    to: str,
    subject: str | None,
    body: str,
    headers: Mapping[str, str],
    sender_name: str | None,
    message_id: str | None,
) -> str | None:
    """Deliver a message on a channel. Stops at the first non-None result.

    The plugin implements ``email`` over SMTP (registered last, so a third-party email provider
    wins); an SMS provider plugin implements ``sms`` (the reference one is
    ``hooks/sms_gateway``). An implementation may leave out the arguments it does not use.
    Raising means "not sent": the message is marked ``failed`` with the error's kind. Delivery
    reports come back later through ``customers_plugin.report_delivery`` with the returned id.

    Args:
        store_id: the store sending.
        channel: ``email``, ``sms``, …
        to: the address on that channel (an email address, an E.164 phone number).
        subject: the subject (``None`` where the channel has none).
        body: the text.
        headers: extra email headers to send as given: ``List-Unsubscribe`` and
            ``List-Unsubscribe-Post`` on marketing email (RFC 8058), ``Reply-To`` with the
            thread's reply address. Empty for other channels.
        sender_name: the store's SMS sender name (``CUSTOMERS_SMS_SENDER_NAME``; always set
            for ``sms``, an SMS without one is refused before any provider is asked), ``None``
            for other channels.
        message_id: the ``Message-ID`` an email should carry (a reply's ``In-Reply-To`` names
            it), or ``None`` to let the provider choose.

    Returns:
        The provider's message id when this implementation handled the channel, or ``None`` to
        let another implementation try.

    Example:
        ```python
        @hookimpl
        def send_message(store_id, channel, to, body, sender_name):
            if channel == "sms":
                return sms_gateway.send(to, body, sender=sender_name).id
            return None
        ```
    """


@hookspec(firstresult=True)
def store_attachment(
    store_id: str, filename: str, content_type: str, stream: BinaryIO
) -> str | None:
    """Store an uploaded file (note attachment, photo). Stops at the first non-None result.

    The built-in implementation writes under ``CUSTOMERS_ATTACHMENTS_FOLDER``; a plugin that
    implements this should implement ``open_attachment`` and ``delete_attachment`` too.

    Args:
        store_id: the store.
        filename: the uploaded file's name.
        content_type: its media type, recognised from its content.
        stream: the file, open for reading.

    Returns:
        An opaque storage key.

    Example:
        ```python
        @hookimpl
        def store_attachment(store_id, filename, content_type, stream):
            return s3.upload(f"{store_id}/{uuid4()}", stream, content_type)
        ```
    """


@hookspec(firstresult=True)
def open_attachment(store_id: str, key: str) -> BinaryIO | None:
    """Open a stored attachment for reading. Stops at the first non-None result.

    Args:
        store_id: the store.
        key: the key ``store_attachment`` returned.

    Returns:
        A binary file object, or ``None`` if the key is not one of this implementation's.

    Example:
        ```python
        @hookimpl
        def open_attachment(store_id, key):
            return s3.open(key) if key.startswith(f"{store_id}/") else None
        ```
    """


@hookspec(firstresult=True)
def delete_attachment(store_id: str, key: str) -> bool | None:
    """Delete a stored attachment the plugin no longer references. Stops at the first non-None
    result.

    Called for a replaced or removed photo and a deleted customer's photo (by hand, bulk or
    import undo), only after the change that dropped the reference has committed, so a rollback
    never loses a file. An exception is logged; the customer's change stands.

    Args:
        store_id: the store.
        key: the key ``store_attachment`` returned.

    Returns:
        ``True`` when this implementation deleted it, ``None`` if the key is not one of its own
        (another implementation may hold it).

    Example:
        ```python
        @hookimpl
        def delete_attachment(store_id, key):
            if key.startswith(f"{store_id}/"):
                s3.delete(key)
                return True
            return None
        ```
    """


@hookspec
def fraud_report(store_id: str, email: str | None, phone: str | None, blocked: bool) -> None:
    """A merchant of a store that shares fraud signals (``CUSTOMERS_FRAUD_SHARING_STORES``)
    blocked or unblocked a customer. Called after commit; a failure is logged and changes
    nothing. Keep no plain contact: the reference plugin (hooks/fraud_network) keeps keyed
    hashes only (docs/security/fraud-network.md).

    Args:
        store_id: the store whose merchant acted.
        email: the customer's normalised email (lower case, trimmed), or ``None``.
        phone: the customer's phone in E.164, or ``None``.
        blocked: ``True`` on block, ``False`` on unblock (the store withdraws its signal).

    Example:
        ```python
        @hookimpl
        def fraud_report(store_id, email, phone, blocked):
            network.record(store_id, [hmac_of(email), hmac_of(phone)], blocked)
        ```
    """


@hookspec
def fraud_signals(store_id: str, email: str | None, phone: str | None) -> int | None:
    """How many *other* stores blocked this contact (its email or its phone). Asked for stores
    that share signals, on the customer card and after a new customer is captured; the
    largest answer is shown as a label with that number, never which stores or why. All
    results are collected; a failure counts as no answer.

    Args:
        store_id: the asking store (its own block is not counted).
        email: the normalised email, or ``None``.
        phone: the phone in E.164, or ``None``.

    Returns:
        The number of other stores, or ``None`` for no opinion.

    Example:
        ```python
        @hookimpl
        def fraud_signals(store_id, email, phone):
            return network.stores_blocking([hmac_of(email), hmac_of(phone)], but=store_id)
        ```
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
    hide their methods, so a guest checkout does not lift a restriction. A guest with an
    unknown contact is in no group and keeps every method.

    Args:
        store_id: the store.
        user_id: the host's signed-in account id, or ``None`` for a guest.
        contact: the checkout contact, or ``None``.
        methods: the payment methods the host offers.

    Returns:
        The methods left once those groups have hidden theirs (case-insensitive).

    Example:
        ```python
        offered = ["card", "cash_on_delivery", "bank_transfer"]
        methods = customers.hook.allowed_payment_methods(
            store_id="default",
            user_id="42",
            contact=Contact(email="sara@example.sa"),
            methods=offered,
        )
        ```
    """


@hookspec(firstresult=True)
def coupon_applies(store_id: str, user_id: str | None, coupon_code: str) -> bool | None:
    """May the signed-in account use the coupon? Stops at the first non-None result.

    A benefit: only the customer linked to ``user_id`` counts, never a contact match (a guest
    is in no group and holds no personal coupon). A code is limited when a group of the store
    lists it or when it was ever assigned to a customer as a personal coupon (revoking or
    expiry never opens it to everybody). A personal coupon applies while it is not revoked,
    not expired and, when limited, used by fewer orders than ``uses_per_customer`` (uses are
    counted from the ``coupon_code`` of ``on_order_placed``). Case does not matter.

    Args:
        store_id: the store.
        user_id: the host's signed-in account id, or ``None`` for a guest.
        coupon_code: the code the buyer typed.

    Returns:
        ``True`` when one of the customer's groups lists it or the customer holds it as a
        valid personal coupon; ``False`` when the code is limited and neither is so; ``None``
        when no rule of the plugin mentions it (the host's own rules apply).

    Example:
        ```python
        applies = customers.hook.coupon_applies(
            store_id="default", user_id="42", coupon_code="BACK10"
        )
        if applies is False:
            raise ValueError("this coupon is for other customers")
        ```
    """


@hookspec(firstresult=True)
def free_shipping_applies(store_id: str, user_id: str | None) -> bool | None:
    """Does a group of the signed-in account's customer grant free shipping? Stops at the first
    non-None result.

    A benefit: a guest (``user_id=None``) and a contact match get none.

    Args:
        store_id: the store.
        user_id: the host's signed-in account id, or ``None`` for a guest.

    Returns:
        ``True`` if one of the customer's groups grants free shipping, else ``None``.

    Example:
        ```python
        free = customers.hook.free_shipping_applies(store_id="default", user_id="42")
        shipping = Decimal("0") if free else Decimal("25.00")
        ```
    """


@hookspec(firstresult=True)
def spend_wallet(
    store_id: str, user_id: str | None, order_id: str, amount: Decimal, currency: str
) -> WalletSpend | None:
    """Pay ``amount`` of an order from the signed-in account's wallet. Stops at the first
    non-None.

    The plugin debits atomically (never below zero) with the idempotency key
    ``order:<order_id>``: asking twice for the same order debits once and answers ``replayed``.
    When the host later reports the order ``cancelled`` or ``refunded`` (``on_order_updated``),
    the plugin credits the amount back once. A float, a non-positive amount or another currency
    is a programming error and raises ``customers_plugin.services.errors.Invalid``. The plugin
    opens its own transaction: call it before or after your own write transaction, not inside
    it, when both live in one SQLite file.

    Args:
        store_id: the store.
        user_id: the host's signed-in account id: the wallet is the one of the customer linked
            to it (``host_user_id``), never one found by email or phone; an account with no
            linked customer (or ``None``) answers ``unknown_customer``.
        order_id: the host's order id.
        amount: a positive Decimal, in the wallet's currency.
        currency: must be the wallet currency (``CUSTOMERS_WALLET_CURRENCY``).

    Returns:
        ``WalletSpend(status, amount, currency, balance, transaction_id)``; ``status`` is
        ``debited``, ``replayed``, ``insufficient_balance``, ``unknown_customer``,
        ``conflict`` (debited before with another amount) or ``refunded`` (the order was
        cancelled since and its wallet payment given back); ``ok`` is true for the first two.

    Example:
        ```python
        paid = customers.hook.spend_wallet(
            store_id="default",
            user_id="42",
            order_id="1001",
            amount=Decimal("25.00"),
            currency="SAR",
        )
        wallet_part = paid.amount if paid.ok else Decimal("0")
        ```
    """
