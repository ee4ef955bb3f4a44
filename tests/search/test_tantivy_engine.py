"""Embedded-engine rules that the contract cannot express: several engines
(standing in for several processes) on one directory."""

from __future__ import annotations

import pytest

from search import Query, SearchUnavailable, make_engine
from tests.search.test_engine_contract import DOCS


@pytest.fixture
def writer(tmp_path):
    engine = make_engine("tantivy", path=tmp_path)
    engine.ensure_index()
    engine.upsert(DOCS)
    return engine


def test_a_reader_on_the_same_directory_follows_a_rebuild(writer, tmp_path):
    reader = make_engine("tantivy", path=tmp_path)
    assert {h.id for h in reader.search(Query(text="nang luong mat troi")).hits} == {"solar", "solar2"}
    writer.rebuild(d for d in DOCS if d["id"] != "solar2")
    assert [h.id for h in reader.search(Query(text="nang luong mat troi")).hits] == ["solar"]


def test_a_second_writer_on_the_same_directory_is_refused(writer, tmp_path):
    other = make_engine("tantivy", path=tmp_path)
    with pytest.raises(SearchUnavailable):
        other.upsert(DOCS[:1])


def test_rebuild_keeps_only_the_live_and_previous_generation(writer):
    writer.rebuild(DOCS)
    writer.rebuild(DOCS)
    assert sorted(p.name for p in writer.path.glob("gen-*")) == ["gen-000002", "gen-000003"]
    assert (writer.path / "CURRENT").read_text() == "gen-000003"


def test_missing_index_is_unavailable(tmp_path):
    engine = make_engine("tantivy", path=tmp_path / "nowhere")
    assert engine.health() is False
    with pytest.raises(SearchUnavailable):
        engine.search(Query(text="dien"))


def test_typo_correction_skips_words_in_the_vocabulary(writer):
    # "nong" (nông) is indexed, so it is not read as a typo of "nang" (năng):
    # no document has both nông and tiết kiệm.  Meilisearch would match here.
    assert writer.search(Query(text="nong tiet kiem")).total == 0
    assert [h.id for h in writer.search(Query(text="nang tiet kiem")).hits] == ["solar"]
