"""Reading back a file kept with a message (an inbound email's attachment), in its store."""

from __future__ import annotations

import uuid
from typing import BinaryIO

from sqlalchemy import select

from ...i18n import _
from ...models import MessageAttachment
from .. import attachments
from ..errors import NotFound
from ..scope import Scope


def open_file(
    scope: Scope, message_id: uuid.UUID, file_id: uuid.UUID
) -> tuple[MessageAttachment, BinaryIO]:
    """The file's row and its content.

    :raises NotFound: no such file of this message in this store (or it is gone).
    """
    row = scope.session.scalar(
        select(MessageAttachment).where(
            MessageAttachment.store_id == scope.store_id,
            MessageAttachment.message_id == message_id,
            MessageAttachment.id == file_id,
        )
    )
    if row is None:
        raise NotFound(_("no such file"))
    stream = attachments.open_stored(scope.pm, scope.store_id, row.key)
    if stream is None:
        raise NotFound(_("the file is no longer in the attachment store"))
    return row, stream
