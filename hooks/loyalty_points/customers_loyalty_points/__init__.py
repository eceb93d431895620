"""Loyalty points: a reference third-party plugin for customers-plugin.

Found through the ``customers_plugin`` entry-point group (name ``loyalty_points``). It awards
welcome points when a customer is created and points per whole currency unit of each order,
takes them back when the order is cancelled or refunded, and keeps its ledger in a table of
its own beside the plugin's tables.
"""

from .ledger import balance, entries
from .plugin import LoyaltyPoints, plugin

__all__ = ["LoyaltyPoints", "balance", "entries", "plugin"]
