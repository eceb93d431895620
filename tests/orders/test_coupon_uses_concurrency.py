"""Two orders using one single-use personal coupon at the same moment: both uses are counted
(``uses = uses + 1`` in SQL, never read-modify-write) and the coupon no longer applies."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.api.conftest import BearerAuth

from .conftest import Clerk, new_customer, order_with_coupon, sign_up


def test_two_concurrent_orders_with_a_single_use_coupon_count_two_uses(make_app, backend, desk):
    app = make_app(
        CUSTOMERS_PLUGINS=[BearerAuth(), desk],
        CUSTOMERS_ENGINE_OPTIONS={"pool_size": 4} if backend == "postgresql" else {},
    )
    clerk = Clerk(app)
    sara = new_customer(clerk)
    sign_up(app, "sara@example.sa", "u-sara")
    clerk.post(f"/customers/{sara}/coupons", json={"code": "ONCE", "uses_per_customer": 1})
    barrier = threading.Barrier(2)

    def place(order_id: str) -> None:
        barrier.wait()
        order_with_coupon(app, "sara@example.sa", order_id, "once")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(place, ["o1", "o2"]))
    [coupon] = clerk.get(f"/customers/{sara}/coupons").json["items"]
    assert coupon["uses"] == 2
    assert coupon["state"] == "used_up"
    assert clerk.get(f"/customers/{sara}").json["orders_count"] == 2
    hook = app.extensions["customers"].hook
    assert hook.coupon_applies(store_id="a", user_id="u-sara", coupon_code="ONCE") is False
