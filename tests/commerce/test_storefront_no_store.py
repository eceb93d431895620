"""The storefront's answers are one shopper's private data: ``/me/*`` and the review-link page
answer ``Cache-Control: no-store``, so no shared cache or back button keeps them."""

from __future__ import annotations

import uuid

import pytest

from customers_plugin.services import review_requests

from .conftest import STORE, Shopper, place

ME_READS = [
    "/wishlist",
    "/wallet",
    "/reviews/pending",
    "/profile",
    "/addresses",
    "/consent",
    "/erasure-request",
]


@pytest.mark.parametrize("path", ME_READS)
def test_signed_in_reads_are_not_stored(state, sara, path):
    place(state, "o1")
    response = sara.call("GET", path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ME_READS)
def test_refusals_are_not_stored_either(shop, path):
    response = Shopper(shop, None).call("GET", path)
    assert response.status_code == 401
    assert response.headers["Cache-Control"] == "no-store"


def test_writes_are_not_stored(sara):
    body = {"product_id": "p1", "name": "Mug", "price": "10.00", "currency": "SAR"}
    response = sara.call("POST", "/wishlist", json=body)
    assert response.status_code in (200, 201, 422)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_review_link_page_is_not_stored(shop, state):
    cid = place(state, "o1")
    with shop.app_context():
        token = review_requests.make_token(state, STORE, uuid.UUID(cid), uuid.uuid4())
    for query in (f"?token={token}", "?token=forged"):
        response = shop.test_client().get(f"/api/v1/me/reviews/pending{query}")
        assert response.status_code in (200, 401)
        assert response.headers["Cache-Control"] == "no-store"
