"""Merchant actions on one customer: create by hand, edit, delete, deactivate/activate, block
and unblock. Each writes the activity log and queues its notification for after commit.

Rules: the primary email never changes once set; email and phone stay unique per store (a
duplicate is a ``Conflict`` naming the existing customer); consent changes go through
``consent`` so they leave a history row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from ..db import insert
from ..events import FieldChange
from ..i18n import _
from ..models import BLOCK_REASONS, Customer
from ..normalize import (
    InvalidEmail,
    InvalidPhone,
    normalize_phone,
    search_key,
    validate_email_address,
)
from ..types import new_id, utcnow
from . import activity, addresses, attachments, consent, contacts, fields, fraud
from .errors import Conflict, Invalid, NotFound, invalid
from .privacy import traces
from .scope import Scope
from .snapshots import customer_info
from .tags import add_tags

# Profile columns a merchant edits as they are (after the schema's validation).
PLAIN_FIELDS = ("country", "language", "company", "position", "vat_id", "birthdate", "gender")
LIST_FIELDS = ("extra_emails", "extra_phones", "addresses")
PRIMARY_EMAIL_FIXED = _(
    "the primary email cannot be changed; add the new address to extra_emails instead"
)


def get(scope: Scope, customer_id: uuid.UUID, *, lock: bool = False) -> Customer:
    """The customer with this id in the scope's store; another store's id is not found."""
    query = select(Customer).where(Customer.store_id == scope.store_id, Customer.id == customer_id)
    if lock:
        query = query.with_for_update()
    found = scope.session.scalar(query)
    if found is None:
        raise NotFound(_("no such customer"))
    return found


# -- create -----------------------------------------------------------------------------------


def create(scope: Scope, data: Mapping[str, Any]) -> uuid.UUID:
    """Add a customer by hand (source ``manual``).

    :raises Invalid: without an email or a phone, or with a bad value.
    :raises Conflict: when the email or phone belongs to another customer.
    """
    session = scope.session
    email_key = _email_key(data.get("email"))
    phone = _phone(scope, data.get("phone"))
    if email_key is None and phone is None:
        message = _("give an email or a phone")
        raise Invalid(message, fields={"email": [message], "phone": [message]})
    _ensure_free(scope, email_key, phone, None)
    custom = fields.canonical_values(
        session, scope.store_id, scope.field_types, data.get("custom_fields") or {}
    )
    now = utcnow()
    name = _clean_name(data.get("name"))
    row: dict[str, Any] = {
        "id": new_id(),
        "store_id": scope.store_id,
        "email": data["email"].strip() if email_key else None,
        "email_normalized": email_key,
        "phone": phone,
        "name": name,
        "search_name": search_key(name),
        "joined_at": now,
        "updated_at": now,
    }
    for key in PLAIN_FIELDS:
        if data.get(key) is not None:
            row[key] = data[key]
    row.update(_list_values(scope, data, None))
    customer_id = session.execute(
        insert(session, Customer.__table__)
        .values(**row)
        .on_conflict_do_nothing()
        .returning(Customer.__table__.c.id)
    ).scalar()
    if customer_id is None:  # lost a race with a concurrent writer of the same email/phone
        _ensure_free(scope, email_key, phone, None)
        raise Conflict(_("the email or phone belongs to another customer"))
    contacts.add_source(session, scope.store_id, customer_id, "manual")
    if data.get("tags"):
        add_tags(scope, customer_id, data["tags"], notify=False)
    if data.get("marketing_consent") not in (None, "not_set"):
        consent.set_marketing(
            session,
            scope.store_id,
            customer_id,
            data["marketing_consent"],
            source=data.get("consent_source") or "admin",
            actor=scope.actor,
        )
    if data.get("sms_consent") not in (None, "not_set"):
        consent.set_sms(
            session,
            scope.store_id,
            customer_id,
            data["sms_consent"],
            source=data.get("consent_source") or "admin",
            actor=scope.actor,
        )
    if data.get("system_notifications") is False:
        consent.set_system_notifications(
            session, scope.store_id, customer_id, False, source="admin", actor=scope.actor
        )
    fields.write_values(session, scope.store_id, customer_id, custom)
    activity.record(
        session, scope.store_id, customer_id, "created", {"source": "manual"}, actor=scope.actor
    )
    scope.facts_changed(customer_id)
    if scope.listens("customer_created"):
        scope.announce("customer_created", customer=customer_info(session, customer_id))
    return customer_id


# -- update -----------------------------------------------------------------------------------


def editable(scope: Scope, customer_id: uuid.UUID) -> Customer:
    """The customer, locked for a change of their profile (fields, photo).

    :raises Conflict: for an erased customer: their profile cannot be filled in again.
    """
    customer = get(scope, customer_id, lock=True)
    if customer.erased_at is not None:
        raise Conflict(_("this customer was erased; their profile cannot be filled in again"))
    return customer


def update(scope: Scope, customer_id: uuid.UUID, data: Mapping[str, Any]) -> list[FieldChange]:
    """Apply a merchant's edit; return what changed (and announce it)."""
    session = scope.session
    customer = editable(scope, customer_id)
    changes: list[FieldChange] = []

    def change(name: str, new: Any) -> None:
        old = getattr(customer, name)
        if old != new:
            changes.append(FieldChange(name, old, new))
            setattr(customer, name, new)

    if "email" in data:
        email_key = _email_key(data["email"])
        if customer.email_normalized is None and email_key is not None:
            _ensure_free(scope, email_key, None, customer.id)
            change("email", data["email"].strip())
            customer.email_normalized = email_key
        elif email_key != customer.email_normalized:
            raise invalid("email", PRIMARY_EMAIL_FIXED)
    if "phone" in data:
        phone = _phone(scope, data["phone"])
        if phone is None and customer.email_normalized is None:
            raise invalid("phone", _("a customer without an email needs a phone"))
        if phone is not None and phone != customer.phone:
            _ensure_free(scope, None, phone, customer.id)
        change("phone", phone)
    if "name" in data:
        name = _clean_name(data["name"])
        if name != customer.name:
            change("name", name)
            customer.search_name = search_key(name)
    for key in PLAIN_FIELDS:
        if key in data:
            change(key, data[key])
    for key, value in _list_values(scope, data, customer).items():
        change(key, value)
    custom = fields.canonical_values(
        session, scope.store_id, scope.field_types, data.get("custom_fields") or {}
    )
    if changes:
        customer.updated_at = utcnow()
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(_("the email or phone belongs to another customer")) from None
    for key, (old, new) in fields.write_values(
        session, scope.store_id, customer.id, custom
    ).items():
        changes.append(FieldChange(f"custom_fields.{key}", old, new))
    changes.extend(_consent_changes(scope, customer, data))
    if not changes:
        return []
    activity.record(
        session,
        scope.store_id,
        customer.id,
        "updated",
        {"fields": [c.field for c in changes]},
        actor=scope.actor,
    )
    scope.facts_changed(customer.id)
    if scope.listens("customer_updated"):
        info = customer_info(session, customer.id)
        scope.announce("customer_updated", customer=info, changes=tuple(changes))
    return changes


def _consent_changes(
    scope: Scope, customer: Customer, data: Mapping[str, Any]
) -> list[FieldChange]:
    changes = []
    source = data.get("consent_source") or "admin"
    if data.get("marketing_consent") is not None:
        old = customer.marketing_consent
        new = data["marketing_consent"]
        if consent.set_marketing(
            scope.session, scope.store_id, customer.id, new, source=source, actor=scope.actor
        ):
            changes.append(FieldChange("marketing_consent", old, new))
    if data.get("sms_consent") is not None:
        old = customer.sms_consent
        new = data["sms_consent"]
        if consent.set_sms(
            scope.session, scope.store_id, customer.id, new, source=source, actor=scope.actor
        ):
            changes.append(FieldChange("sms_consent", old, new))
    if data.get("system_notifications") is not None:
        old = customer.system_notifications
        new = bool(data["system_notifications"])
        if consent.set_system_notifications(
            scope.session, scope.store_id, customer.id, new, source=source, actor=scope.actor
        ):
            changes.append(FieldChange("system_notifications", old, new))
    if changes:
        scope.session.expire(customer)
    return changes


# -- delete -----------------------------------------------------------------------------------


def delete(scope: Scope, customer_ids: Sequence[uuid.UUID]) -> int:
    """Delete customers and everything recorded about them, all or none (their photo files
    once the deletion commits), their orders and wallet ledger included: to keep the accounts,
    erase by anonymising instead (``privacy.erasure``). Their import undo rows go too, and the
    finished export files that hold them (``privacy.traces``).

    :raises NotFound: when one id is not a customer of this store (nothing is deleted).
    """
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return 0
    session = scope.session
    found = set(
        session.scalars(
            select(Customer.id)
            .where(Customer.store_id == scope.store_id, Customer.id.in_(ids))
            .with_for_update()
        )
    )
    if len(found) != len(ids):
        raise NotFound(_("no such customer"))
    traces.forget(scope, ids)  # import undo rows and export files outlive the rows otherwise
    photos = session.scalars(
        select(Customer.photo_key).where(Customer.id.in_(ids), Customer.photo_key.is_not(None))
    )
    # the notes and messages modules read customers through this one
    from .messages.threads import attachment_keys
    from .notes import file_keys

    attachments.delete_after_commit(
        session,
        scope.pm,
        scope.store_id,
        [*photos, *file_keys(scope, ids), *attachment_keys(scope, ids)],
    )
    session.execute(
        sql_delete(Customer)
        .where(Customer.store_id == scope.store_id, Customer.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    for customer_id in ids:
        scope.announce("customer_deleted", store_id=scope.store_id, customer_id=str(customer_id))
    return len(ids)


# -- status -----------------------------------------------------------------------------------


def set_active(scope: Scope, customer_id: uuid.UUID, active: bool) -> bool:
    """Activate or deactivate; return whether the status changed.

    :raises Conflict: for a blocked customer (unblock first).
    """
    customer = get(scope, customer_id, lock=True)
    if customer.status == "blocked":
        raise Conflict(_("the customer is blocked; unblock them first"))
    new = "active" if active else "inactive"
    if customer.status == new:
        return False
    _set_status(scope, customer, new, "activated" if active else "deactivated")
    if scope.listens("customer_updated"):
        info = customer_info(scope.session, customer.id)
        change = FieldChange("status", "inactive" if active else "active", new)
        scope.announce("customer_updated", customer=info, changes=(change,))
    return True


def block(scope: Scope, customer_id: uuid.UUID, reason: str, details: str | None) -> bool:
    """Block with a reason from ``BLOCK_REASONS`` and free-text details."""
    if reason not in BLOCK_REASONS:
        raise invalid("reason", _("one of: {choices}", choices=", ".join(BLOCK_REASONS)))
    customer = get(scope, customer_id, lock=True)
    details = (details or "").strip() or None
    if customer.status == "blocked" and (customer.block_reason, customer.block_details) == (
        reason,
        details,
    ):
        return False
    customer.block_reason = reason
    customer.block_details = details
    _set_status(scope, customer, "blocked", "blocked", {"reason": reason})
    fraud.report(scope.state, scope.session, scope.store_id, customer.id, blocked=True)
    if scope.listens("customer_blocked"):
        info = customer_info(scope.session, customer.id)
        scope.announce("customer_blocked", customer=info, reason=reason, details=details)
    return True


def unblock(scope: Scope, customer_id: uuid.UUID) -> bool:
    customer = get(scope, customer_id, lock=True)
    if customer.status != "blocked":
        return False
    customer.block_reason = None
    customer.block_details = None
    _set_status(scope, customer, "active", "unblocked")
    fraud.report(scope.state, scope.session, scope.store_id, customer.id, blocked=False)
    if scope.listens("customer_unblocked"):
        scope.announce("customer_unblocked", customer=customer_info(scope.session, customer.id))
    return True


def _set_status(
    scope: Scope, customer: Customer, status: str, kind: str, data: dict[str, Any] | None = None
) -> None:
    now = utcnow()
    old = customer.status
    customer.status = status
    customer.status_changed_at = now
    customer.updated_at = now
    scope.session.flush()
    activity.record(
        scope.session,
        scope.store_id,
        customer.id,
        kind,
        {"from": old, "to": status, **(data or {})},
        actor=scope.actor,
    )
    scope.facts_changed(customer.id)


# -- helpers ----------------------------------------------------------------------------------


def _clean_name(name: Any) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(str(name).split())
    return cleaned or None


def _email_key(email: Any) -> str | None:
    if email is None or not str(email).strip():
        return None
    try:
        return validate_email_address(str(email))
    except InvalidEmail:
        raise invalid("email", _("not a valid email address")) from None


def _phone(scope: Scope, phone: Any, field: str = "phone") -> str | None:
    try:
        return normalize_phone(phone, scope.region)
    except InvalidPhone:
        raise invalid(field, _("not a valid phone number")) from None


def _list_values(
    scope: Scope, data: Mapping[str, Any], customer: Customer | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "extra_emails" in data:
        emails = []
        for i, email in enumerate(data["extra_emails"] or []):
            try:
                validate_email_address(email)
            except InvalidEmail:
                raise invalid(f"extra_emails.{i}", _("not a valid email address")) from None
            emails.append(email.strip())
        out["extra_emails"] = list(dict.fromkeys(emails))
    if "extra_phones" in data:
        phones = [
            _phone(scope, p, f"extra_phones.{i}") for i, p in enumerate(data["extra_phones"] or [])
        ]
        out["extra_phones"] = list(dict.fromkeys(p for p in phones if p))
    if "addresses" in data:
        out["addresses"] = addresses.clean_list(
            scope,
            customer.id if customer is not None else None,
            data["addresses"] or [],
            customer.addresses if customer is not None else (),
        )
    return out


def _ensure_free(
    scope: Scope, email_key: str | None, phone: str | None, exclude: uuid.UUID | None
) -> None:
    for column, value, field in (
        (Customer.email_normalized, email_key, "email"),
        (Customer.phone, phone, "phone"),
    ):
        if value is None:
            continue
        query = select(Customer.id).where(Customer.store_id == scope.store_id, column == value)
        if exclude is not None:
            query = query.where(Customer.id != exclude)
        existing = scope.session.scalar(query.limit(1))
        if existing is not None:
            raise Conflict(
                _("another customer has this {field}", field=field),
                fields={field: [_("already used by customer {id}", id=existing)]},
                existing_id=str(existing),
            )


def touch(scope: Scope, customer: Customer, kind: str) -> None:
    """Record a change made directly on the row (e.g. the photo) and announce it. A photo the
    change replaced or removed is deleted from storage once the change commits."""
    old_photos = inspect(customer).attrs.photo_key.history.deleted
    attachments.delete_after_commit(scope.session, scope.pm, scope.store_id, old_photos)
    customer.updated_at = utcnow()
    scope.session.flush()
    activity.record(scope.session, scope.store_id, customer.id, kind, actor=scope.actor)
    if scope.listens("customer_updated"):
        info = customer_info(scope.session, customer.id)
        scope.announce(
            "customer_updated", customer=info, changes=(FieldChange("photo", None, None),)
        )
