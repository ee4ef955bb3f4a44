"""Fixtures shared by the embedded engine's tests."""

from __future__ import annotations

import pytest

from search import make_engine
from tests.search.test_engine_contract import DOCS


@pytest.fixture
def writer(tmp_path):
    engine = make_engine("tantivy", path=tmp_path)
    engine.ensure_index()
    engine.upsert(DOCS)
    return engine
