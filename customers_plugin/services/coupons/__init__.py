"""Personal coupons: ``manage`` (assign, list, revoke, and the ``coupon_assigned``
notification), ``checkout`` (whether a code applies to a customer, and counting a use from an
order event) and ``gifts`` (a wishlist item sent with a product coupon the host issues)."""

from .checkout import applies, count_use, customer_may_use
from .gifts import gift_wished_item
from .manage import assign, coupons_page, normalize_code, revoke

__all__ = [
    "applies",
    "assign",
    "count_use",
    "coupons_page",
    "customer_may_use",
    "gift_wished_item",
    "normalize_code",
    "revoke",
]
