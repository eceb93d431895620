"""Creating, changing, listing and deleting groups. Deleting a group removes its membership
rows only, never a customer. Validation errors are ``GroupInvalid`` with per-field messages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import CustomerGroup, GroupMember
from ...types import utcnow
from .conditions import ConditionsInvalid, parse
from .registry import ConditionRegistry

MAX_NAME = 100
MAX_ICON = 64
MAX_RULE_ITEMS = 100
MAX_RULE_TEXT = 64
EDITABLE = (
    "name",
    "icon",
    "conditions",
    "hidden_payment_methods",
    "free_shipping",
    "coupon_codes",
)


class GroupInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid group")
        self.errors = errors


def _texts(raw: Any, name: str, errors: dict[str, list[str]], *, upper: bool) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_RULE_ITEMS:
        errors[name] = [f"must be a list of at most {MAX_RULE_ITEMS} texts"]
        return []
    values = []
    for item in raw:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_RULE_TEXT:
            errors[name] = [f"each item must be a text of 1 to {MAX_RULE_TEXT} characters"]
            return []
        values.append(item.strip().upper() if upper else item.strip())
    return list(dict.fromkeys(values))


def clean(data: dict[str, Any], registry: ConditionRegistry, *, partial: bool) -> dict[str, Any]:
    """Validated values for the editable fields present in ``data``."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    unknown = set(data) - set(EDITABLE)
    if unknown:
        errors.update({key: ["unknown field"] for key in sorted(unknown)})
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            errors["name"] = [f"a name of 1 to {MAX_NAME} characters is required"]
        else:
            values["name"] = " ".join(name.split())
    if "icon" in data:
        icon = data["icon"]
        if icon is not None and (not isinstance(icon, str) or len(icon) > MAX_ICON):
            errors["icon"] = [f"at most {MAX_ICON} characters"]
        else:
            values["icon"] = icon or None
    if "conditions" in data:
        try:
            parsed = parse(data["conditions"], registry)
            values["conditions"] = parsed.as_json() if parsed else None
        except ConditionsInvalid as exc:
            errors.update(exc.errors)
    if "hidden_payment_methods" in data:
        values["hidden_payment_methods"] = _texts(
            data["hidden_payment_methods"], "hidden_payment_methods", errors, upper=False
        )
    if "coupon_codes" in data:
        values["coupon_codes"] = _texts(data["coupon_codes"], "coupon_codes", errors, upper=True)
    if "free_shipping" in data:
        if not isinstance(data["free_shipping"], bool):
            errors["free_shipping"] = ["must be true or false"]
        else:
            values["free_shipping"] = data["free_shipping"]
    if errors:
        raise GroupInvalid(errors)
    return values


def create_group(
    session: Session, registry: ConditionRegistry, store_id: str, data: dict[str, Any]
) -> CustomerGroup:
    values = clean(data, registry, partial=False)
    now = utcnow()
    defaults = {"hidden_payment_methods": [], "coupon_codes": [], "free_shipping": False}
    group = CustomerGroup(
        store_id=store_id, created_at=now, updated_at=now, **{**defaults, **values}
    )
    session.add(group)
    session.flush()
    return group


def update_group(
    session: Session, registry: ConditionRegistry, group: CustomerGroup, data: dict[str, Any]
) -> bool:
    """Apply a partial change; returns whether the conditions changed (a refresh is due)."""
    values = clean(data, registry, partial=True)
    conditions_changed = "conditions" in values and values["conditions"] != group.conditions
    for key, value in values.items():
        setattr(group, key, value)
    if conditions_changed:  # new conditions: the refresh that follows tells whether they work
        group.failure_reason = None
        group.failed_at = None
    group.updated_at = utcnow()
    session.flush()
    return conditions_changed


def get_group(session: Session, store_id: str, group_id: uuid.UUID) -> CustomerGroup | None:
    return session.scalars(
        select(CustomerGroup).where(
            CustomerGroup.id == group_id, CustomerGroup.store_id == store_id
        )
    ).one_or_none()


def delete_group(session: Session, store_id: str, group_id: uuid.UUID) -> bool:
    """Delete the group and its membership rows; customers are untouched."""
    session.execute(
        delete(GroupMember).where(
            GroupMember.group_id == group_id, GroupMember.store_id == store_id
        )
    )
    deleted = session.execute(
        delete(CustomerGroup).where(
            CustomerGroup.id == group_id, CustomerGroup.store_id == store_id
        )
    ).rowcount
    return bool(deleted)


def member_counts(session: Session, store_id: str, group_ids: list[uuid.UUID]) -> dict:
    """``{group_id: (members, manual members)}`` in one query."""
    rows = session.execute(
        select(
            GroupMember.group_id,
            func.count(),
            func.count().filter(GroupMember.manual.is_(True)),
        )
        .where(GroupMember.store_id == store_id, GroupMember.group_id.in_(group_ids))
        .group_by(GroupMember.group_id)
    ).all()
    counts = {g: (0, 0) for g in group_ids}
    counts.update({g: (n, m) for g, n, m in rows})
    return counts


def list_groups(session: Session, store_id: str) -> list[tuple[CustomerGroup, int, int]]:
    """Every group of the store by name, with its member and manual-member counts."""
    groups = session.scalars(
        select(CustomerGroup)
        .where(CustomerGroup.store_id == store_id)
        .order_by(CustomerGroup.name, CustomerGroup.id)
    ).all()
    counts = member_counts(session, store_id, [g.id for g in groups])
    return [(g, *counts[g.id]) for g in groups]
