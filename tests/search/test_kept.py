"""Answers kept until the index changes (search/kept.py), and the embedded engine's use of
them: a kept search is handed out again only while the index's generation is the same."""

from __future__ import annotations

from search import Query, make_engine
from search.kept import Kept
from tests.search.test_engine_contract import DOCS


def test_an_answer_is_computed_once_per_generation_and_the_oldest_goes_first():
    calls: list[str] = []
    kept: Kept[list[str]] = Kept(2, list)

    def compute(key: str) -> list[str]:
        calls.append(key)
        return [key]

    assert kept.get("a", "g1", lambda: compute("a")) == ["a"]
    assert kept.get("a", "g1", lambda: compute("a")) == ["a"]
    assert calls == ["a"]
    kept.get("a", "g2", lambda: compute("a"))  # the index changed
    assert calls == ["a", "a"]
    kept.get("b", "g2", lambda: compute("b"))
    kept.get("a", "g2", lambda: compute("a"))  # "a" is now the most recently used
    kept.get("c", "g2", lambda: compute("c"))  # a third: "b" goes
    kept.get("a", "g2", lambda: compute("a"))
    kept.get("b", "g2", lambda: compute("b"))
    assert calls == ["a", "a", "b", "c", "b"]
    mine = kept.get("b", "g2", lambda: compute("b"))
    mine.append("changed by a caller")
    assert kept.get("b", "g2", lambda: compute("b")) == ["b"]


def test_a_kept_search_follows_a_write_from_another_engine(tmp_path):
    writer = make_engine("tantivy", path=tmp_path)
    writer.ensure_index()
    writer.upsert([d for d in DOCS if d["id"] != "solar2"])
    reader = make_engine("tantivy", path=tmp_path)
    query = Query(text="nang luong mat troi", facets=["field_code"])
    first = reader.search(query)
    assert [h.id for h in first.hits] == ["solar"]
    first.hits[0].document["title"] = "changed by a caller"
    first.facets["field_code"].clear()
    again = reader.search(query)
    assert again.hits[0].document["title"] == DOCS[[d["id"] for d in DOCS].index("solar")]["title"]
    assert again.facets["field_code"] != {}
    writer.upsert([d for d in DOCS if d["id"] == "solar2"])
    assert {h.id for h in reader.search(query).hits} == {"solar", "solar2"}
