"""The plugin's tables, one module per aggregate. Import from here."""

from .base import TABLE_PREFIX, Base
from .customer import (
    BLOCK_REASONS,
    CONSENT_STATUSES,
    DUPLICATE_REASONS,
    GENDERS,
    STATUSES,
    ConsentEvent,
    Customer,
    CustomerSource,
    CustomerTag,
    DuplicateSuggestion,
    Tag,
)
from .fields import FieldDefinition, FieldValue
from .groups import CustomerGroup, GroupMember
from .history import Activity, BookingSummary, FormSubmission, OrderSummary, Review
from .imports import ExportJob, ImportBatch, ImportChange, ImportKey, ImportRowError
from .inbox import EventInbox
from .merges import MERGE_ROW_ACTIONS, Merge, MergeRow
from .notes import Note, NoteFile, NoteRevision
from .outbox import OUTBOX_STATES, JobOutbox
from .review_requests import REVIEW_REQUEST_STATUSES, ReviewRequest
from .tasks import TASK_STATUSES, Task
from .wallet import WALLET_KINDS, WalletTransaction
from .wishlist import WishlistItem

__all__ = [
    "BLOCK_REASONS",
    "CONSENT_STATUSES",
    "DUPLICATE_REASONS",
    "GENDERS",
    "MERGE_ROW_ACTIONS",
    "OUTBOX_STATES",
    "REVIEW_REQUEST_STATUSES",
    "STATUSES",
    "TABLE_PREFIX",
    "TASK_STATUSES",
    "WALLET_KINDS",
    "Activity",
    "Base",
    "BookingSummary",
    "ConsentEvent",
    "Customer",
    "CustomerGroup",
    "CustomerSource",
    "CustomerTag",
    "DuplicateSuggestion",
    "EventInbox",
    "ExportJob",
    "FieldDefinition",
    "FieldValue",
    "FormSubmission",
    "GroupMember",
    "ImportBatch",
    "ImportChange",
    "ImportKey",
    "ImportRowError",
    "JobOutbox",
    "Merge",
    "MergeRow",
    "Note",
    "NoteFile",
    "NoteRevision",
    "OrderSummary",
    "Review",
    "ReviewRequest",
    "Tag",
    "Task",
    "WalletTransaction",
    "WishlistItem",
]
