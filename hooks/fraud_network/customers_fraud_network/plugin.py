"""The hook implementations: a store's block or unblock goes into the network as keyed hashes;
a question answers how many other stores blocked the contact.

One stateless object serves every app in the process; the table lives in the database of the
app it is called in (``customers_plugin.get_state()``). Without ``FRAUD_NETWORK_SECRET`` in the
app's config it records and answers nothing (a hash without a secret could be tested against
any address).
"""

from __future__ import annotations

import logging

from flask import has_app_context

from customers_plugin import get_state, hookimpl

from . import network

log = logging.getLogger(__name__)


class FraudNetwork:
    """Registered under the entry-point name ``fraud_network``."""

    @hookimpl
    def fraud_report(self, store_id: str, email: str | None, phone: str | None, blocked: bool):
        secret = _secret()
        if secret is None:
            return
        hashes = network.contact_hashes(secret, email, phone)
        store_hash = network.keyed(secret, "store", store_id)
        network.record(get_state().db, store_hash, hashes, blocked)

    @hookimpl
    def fraud_signals(self, store_id: str, email: str | None, phone: str | None) -> int | None:
        secret = _secret()
        if secret is None:
            return None
        hashes = network.contact_hashes(secret, email, phone)
        store_hash = network.keyed(secret, "store", store_id)
        return network.other_stores(get_state().db, store_hash, hashes)


def _secret() -> str | None:
    if not has_app_context():
        log.warning("fraud network: a hook called outside an app context was skipped")
        return None
    secret = get_state().app.config.get("FRAUD_NETWORK_SECRET")
    if not secret:
        log.warning("fraud network: FRAUD_NETWORK_SECRET is not set; nothing is shared")
        return None
    return str(secret)


plugin = FraudNetwork()
