"""Merge test helpers: the API fixtures, and a listener of ``customers_merged``."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from customers_plugin import hookimpl
from tests.api.conftest import BearerAuth, Staff


class MergeListener:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    @hookimpl
    def customers_merged(self, store_id: str, kept_id: str, merged_ids: Any) -> None:
        self.calls.append({"store_id": store_id, "kept_id": kept_id, "merged_ids": merged_ids})


@pytest.fixture
def listener() -> MergeListener:
    return MergeListener()


@pytest.fixture
def merge_app(make_app: Any, recorder: Any, listener: MergeListener, tmp_path: Any) -> Flask:
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, listener, BearerAuth()],
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_CURRENCY="SAR",
    )


@pytest.fixture
def staff(merge_app: Flask) -> Staff:
    return Staff(merge_app)
