"""The plugin's tables, one module per aggregate. Import from here."""

from .base import TABLE_PREFIX, Base
from .coupons import COUPON_SOURCES, Coupon
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
from .imports import ExportJob, ImportBatch, ImportChange, ImportRow, ImportRowError
from .inbox import EventInbox
from .merges import MERGE_ROW_ACTIONS, Merge, MergeRow
from .messages import (
    MESSAGE_DIRECTIONS,
    MESSAGE_PURPOSES,
    MESSAGE_STATES,
    THREAD_ORIGINS,
    Message,
    MessageAttachment,
    Thread,
)
from .notes import Note, NoteFile, NoteRevision
from .orders import STAFF_ORDER_STATUSES, StaffOrder
from .outbox import OUTBOX_STATES, JobOutbox
from .privacy import ERASURE_STATUSES, ErasureRequest
from .review_requests import REVIEW_REQUEST_STATUSES, ReviewRequest
from .settings import StoreSetting
from .tasks import TASK_STATUSES, Task
from .wallet import WALLET_KINDS, WalletTransaction
from .wishlist import WishlistItem

__all__ = [
    "BLOCK_REASONS",
    "CONSENT_STATUSES",
    "COUPON_SOURCES",
    "DUPLICATE_REASONS",
    "ERASURE_STATUSES",
    "GENDERS",
    "MERGE_ROW_ACTIONS",
    "MESSAGE_DIRECTIONS",
    "MESSAGE_PURPOSES",
    "MESSAGE_STATES",
    "OUTBOX_STATES",
    "REVIEW_REQUEST_STATUSES",
    "STAFF_ORDER_STATUSES",
    "STATUSES",
    "TABLE_PREFIX",
    "TASK_STATUSES",
    "THREAD_ORIGINS",
    "WALLET_KINDS",
    "Activity",
    "Base",
    "BookingSummary",
    "ConsentEvent",
    "Coupon",
    "Customer",
    "CustomerGroup",
    "CustomerSource",
    "CustomerTag",
    "DuplicateSuggestion",
    "ErasureRequest",
    "EventInbox",
    "ExportJob",
    "FieldDefinition",
    "FieldValue",
    "FormSubmission",
    "GroupMember",
    "ImportBatch",
    "ImportChange",
    "ImportRow",
    "ImportRowError",
    "JobOutbox",
    "Merge",
    "MergeRow",
    "Message",
    "MessageAttachment",
    "Note",
    "NoteFile",
    "NoteRevision",
    "OrderSummary",
    "Review",
    "ReviewRequest",
    "StaffOrder",
    "StoreSetting",
    "Tag",
    "Task",
    "Thread",
    "WalletTransaction",
    "WishlistItem",
]
