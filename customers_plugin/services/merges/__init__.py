"""Duplicate customers: the store's suggested pairs (``duplicates``), merging one customer into
another and undoing it (``merge``), table by table as ``privacy.owned`` registers them
(``moves``), with rows kept as JSON for the undo (``rows``). No Flask here."""

from .duplicates import FREE_MAIL_DOMAINS, Pair, duplicates_page
from .merge import BothLinked, UndoRefused, merge, undo

__all__ = [
    "FREE_MAIL_DOMAINS",
    "BothLinked",
    "Pair",
    "UndoRefused",
    "duplicates_page",
    "merge",
    "undo",
]
