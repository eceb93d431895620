"""The declarative base of the plugin's tables: own MetaData, ``customers_`` prefix, naming rules.

The plugin's tables never join the host's metadata, so the host's migrations never see them.
"""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..types import new_id

TABLE_PREFIX = "customers_"

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict: JSON, list: JSON, uuid.UUID: Uuid}


def id_column() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=new_id)


def store_column() -> Mapped[str]:
    return mapped_column(String(64), nullable=False)
