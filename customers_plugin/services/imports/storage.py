"""Where import files and finished export files live (``CUSTOMERS_TRANSFER_FOLDER``), named by
the batch or export id, and the store's custom fields as import columns.

Uploads are copied to disk in blocks with the size limit checked on every block, so an
oversized upload is refused before a byte of it is parsed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.orm import Session

from ...i18n import _
from ..attachments import TooLarge
from ..fields import list_definitions
from .columns import CustomField

if TYPE_CHECKING:
    from ...state import CustomersState

BLOCK = 256 * 1024


def folder(state: CustomersState, kind: str) -> Path:
    base = state.setting("CUSTOMERS_TRANSFER_FOLDER") or os.path.join(
        state.app.instance_path, "customers_transfer"
    )
    path = Path(base) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(state: CustomersState, batch_id: uuid.UUID | str) -> Path:
    return folder(state, "imports") / f"{uuid.UUID(str(batch_id))}.csv"


def export_path(state: CustomersState, export_id: uuid.UUID | str) -> Path:
    return folder(state, "exports") / f"{uuid.UUID(str(export_id))}.csv"


def save_upload(stream: BinaryIO, target: Path, max_bytes: int) -> int:
    """Copy ``stream`` to ``target`` block by block; raise ``TooLarge`` past ``max_bytes``."""
    size = 0
    partial = target.with_suffix(".part")
    try:
        with open(partial, "wb") as out:
            while True:
                block = stream.read(BLOCK)
                if not block:
                    break
                size += len(block)
                if size > max_bytes:
                    raise TooLarge(_("the file is larger than {limit} bytes", limit=max_bytes))
                out.write(block)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return size


def custom_fields_of(session: Session, store_id: str) -> list[CustomField]:
    return [CustomField(d.id, d.key, d.type) for d in list_definitions(session, store_id)]
