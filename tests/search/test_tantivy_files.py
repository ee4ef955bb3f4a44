"""The embedded engine's directory (search/tantivy_files.py): several engines on one
directory stand in for several processes."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from search import Query, SearchUnavailable, make_engine
from search.documents import INITIATIVE_SETTINGS
from tests.search.test_engine_contract import ALL_IDS, DOCS
from tests.search.test_tantivy_engine import BRIDGE, ids_of


def test_the_generation_changes_with_a_commit_a_rebuild_and_a_synonyms_edit_only(writer):
    seen = [writer.generation()]
    writer.search(Query(text="nang luong"))
    assert writer.generation() == seen[-1]  # reading changes nothing
    for change in (
        lambda: writer.upsert([BRIDGE]),
        lambda: writer.delete(["bridge"]),
        lambda: writer.rebuild(DOCS),
        lambda: writer.set_synonyms([["cầu treo", "cầu dây văng"]]),
    ):
        change()
        seen.append(writer.generation())
    assert len(set(seen)) == 5


def test_a_reader_on_the_same_directory_follows_a_rebuild(writer, tmp_path):
    reader = make_engine("tantivy", path=tmp_path)
    assert {h.id for h in reader.search(Query(text="nang luong mat troi")).hits} == {
        "solar",
        "solar2",
    }
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


def test_a_write_during_another_engines_rebuild_waits_and_lands_in_the_new_generation(
    writer, tmp_path
):
    rebuilder = make_engine("tantivy", path=tmp_path)
    done: list[str] = []

    def upsert_bridge():
        writer.upsert([BRIDGE])
        done.append("written")

    meanwhile = threading.Thread(target=upsert_bridge)

    def documents():
        yield from DOCS[:4]
        meanwhile.start()
        time.sleep(0.3)
        assert done == []  # waiting for the rebuild's lock, not writing into the old generation
        yield from DOCS[4:]

    rebuilder.rebuild(documents())
    meanwhile.join()
    assert done == ["written"]
    assert set(rebuilder.document_versions()) == ALL_IDS | {"bridge"}


def test_a_writer_whose_generation_was_deleted_reopens_on_the_live_one(writer, tmp_path):
    rebuilder = make_engine("tantivy", path=tmp_path)
    rebuilder.rebuild(DOCS)
    rebuilder.rebuild(DOCS)  # deletes gen-000001, where `writer` still holds its writer
    writer.upsert([BRIDGE])
    assert ids_of(rebuilder, "cau treo") == {"bridge"}


def test_an_index_built_with_another_schema_is_reindexed_from_its_documents(tmp_path):
    older = dataclasses.replace(INITIATIVE_SETTINGS, filterable=INITIATIVE_SETTINGS.filterable[:-3])
    old = make_engine("tantivy", path=tmp_path, settings=older)
    old.ensure_index()
    old.upsert(DOCS)
    new = make_engine("tantivy", path=tmp_path)
    new.ensure_index()
    assert new.document_versions() == {d["id"]: d["version"] for d in DOCS}
    assert ids_of(new, "", filters={"ip_status": ["utility"]}) == {"solar2", "iot"}
