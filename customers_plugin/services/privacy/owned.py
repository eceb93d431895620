"""Every table that holds rows of one customer, registered once: what erasure does with them
and how a merge moves them. A new customer-owned table is one entry of ``OWNED`` (a test
checks that every table with a ``customer_id`` column has one).

- ``erase``: erasure (``erasure.anonymize``) deletes the rows outright; the others stay, and
  ``erasure`` strips what is personal from those that keep the accounts.
- ``merge``: ``move`` (every row goes to the kept customer), ``dedupe`` (a row the kept
  customer already has by the ``same`` columns is set aside; the kept customer's row wins),
  ``drop`` (the merged customer's rows are set aside: they are about the pair), ``stay`` (not
  moved: copies kept outside the customer's rows, see ``traces``). Rows failing ``moves``
  (an SQL condition on the table) are set aside instead of moved.
- ``columns``: the columns naming a customer (``customer_id``; a pair table names two).
- ``key``: the column (besides ``customer_id``) that names one of the customer's rows: the
  merge records it for the undo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...models import (
    Activity,
    BookingSummary,
    ConsentEvent,
    Coupon,
    CustomerSource,
    CustomerTag,
    DuplicateSuggestion,
    ErasureRequest,
    FieldValue,
    FormSubmission,
    GroupMember,
    ImportChange,
    Message,
    MessageAttachment,
    Note,
    NoteFile,
    NoteRevision,
    OrderSummary,
    Review,
    ReviewRequest,
    StaffOrder,
    Task,
    Thread,
    WalletTransaction,
    WishlistItem,
)


@dataclass(frozen=True, slots=True)
class Owned:
    model: Any
    merge: str  # move | dedupe | drop | stay
    erase: bool = False
    key: str = "id"
    columns: tuple[str, ...] = ("customer_id",)  # the columns naming a customer
    same: tuple[str, ...] = ()
    moves: Callable[[Any], Any] | None = None  # table -> SQL condition of the rows that move

    @property
    def table(self) -> Any:
        return self.model.__table__


def _manual(table: Any) -> Any:
    # automatic memberships follow from facts: the kept customer's are re-evaluated instead
    return table.c.manual.is_(True)


# erasure deletes the ``erase`` entries in this order (files before notes)
OWNED: tuple[Owned, ...] = (
    Owned(CustomerTag, "dedupe", erase=True, key="tag_id", same=("tag_id",)),
    Owned(CustomerSource, "dedupe", erase=True, key="source", same=("source",)),
    Owned(FieldValue, "dedupe", erase=True, key="field_id", same=("field_id",)),
    Owned(GroupMember, "dedupe", erase=True, key="group_id", same=("group_id",), moves=_manual),
    Owned(WishlistItem, "dedupe", erase=True, same=("product_id",)),
    Owned(ReviewRequest, "move", erase=True),
    Owned(FormSubmission, "move", erase=True),
    Owned(Task, "move", erase=True),
    Owned(NoteFile, "move", erase=True),
    Owned(NoteRevision, "move", erase=True),
    Owned(Note, "move", erase=True),
    Owned(MessageAttachment, "move", erase=True),  # messages: files, then messages, then threads
    Owned(Message, "move", erase=True),
    Owned(Thread, "move", erase=True),
    Owned(OrderSummary, "move"),
    Owned(BookingSummary, "move"),
    Owned(Review, "move"),
    Owned(WalletTransaction, "move"),
    Owned(ConsentEvent, "move"),
    Owned(Activity, "move"),
    Owned(StaffOrder, "move"),
    # a code held by both stays once (the kept customer's); erasure revokes, never deletes
    Owned(Coupon, "dedupe", same=("code",)),
    # the request follows the person: completing it erases the kept customer
    Owned(ErasureRequest, "move"),
    Owned(DuplicateSuggestion, "drop", columns=("customer_id", "other_id")),
    Owned(ImportChange, "stay", key="batch_id"),
)

# what erasure deletes outright
PERSONAL_ROWS: tuple[Any, ...] = tuple(entry.model for entry in OWNED if entry.erase)
