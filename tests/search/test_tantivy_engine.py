"""Embedded-engine rules that the contract cannot express (the directory's rules, with
several engines standing in for several processes, are in test_tantivy_files.py)."""

from __future__ import annotations

import dataclasses

import pytest

from search import Query, make_engine
from search.documents import INITIATIVE_SETTINGS
from tests.search.test_engine_contract import DOCS

BRIDGE = dict(DOCS[0], id="bridge", title="Cảm biến rung cho cầu treo", version=1)


def ids_of(engine, text: str, **kw) -> set[str]:
    return {h.id for h in engine.search(Query(text=text, limit=50, **kw)).hits}


def test_typo_correction_skips_words_in_the_vocabulary(writer):
    # "nong" (nông) is a syllable, so it is not read as a typo of "nang" (năng):
    # no document has both nông and tiết kiệm, so "last" leaves out the end and
    # says so; the solar document (năng lượng, tiết kiệm) is not among them.
    result = writer.search(Query(text="nong tiet kiem", limit=50))
    assert (result.ignored, result.suggestion) == (("tiet", "kiem"), None)
    assert result.total == 5 and "solar" not in {h.id for h in result.hits}
    assert [h.id for h in writer.search(Query(text="nang tiet kiem")).hits] == ["solar"]


def test_default_synonyms_match_5g(writer):
    writer.upsert([dict(BRIDGE, id="5g", title="Trạm phát sóng di động thế hệ thứ năm")])
    assert ids_of(writer, "5G") == {"5g"}
    assert ids_of(writer, "mạng 5G") == {"5g"}


def test_sorting_on_a_text_field_is_refused():
    with pytest.raises(ValueError):
        make_engine(
            "tantivy",
            path="unused",
            settings=dataclasses.replace(INITIATIVE_SETTINGS, sortable=("province",)),
        )


def _found(searcher, query) -> set[str]:
    return {str(searcher.doc(a).get_first("id")) for _, a in searcher.search(query, 100).hits}


@pytest.mark.parametrize("text", ["năng lượng", "cảm biến cầu treo", "điện trường học", "nang"])
def test_the_set_without_scoring_clauses_is_the_ranked_querys(writer, text):
    writer.upsert([BRIDGE])
    searcher = writer._files.searcher()
    plan = writer._planner.plan(
        searcher, text, writer.settings.searchable, writer._files.synonym_table()
    )
    assert plan.query is not None and plan.required
    assert plan.proximity or len(plan.required) == 1  # several words: phrases that only score
    assert _found(searcher, plan.matching(plan.required)) == _found(searcher, plan.query)


@pytest.mark.parametrize("sort", [None, ("published_at", "desc")])
def test_counts_facets_and_sorted_pages_are_those_of_the_hits(writer, sort):
    # Counted, faceted and sorted without the proximity phrases (Plan.matching): the
    # same documents as the page ordered by score.
    writer.upsert([BRIDGE])
    query = Query(text="cảm biến", facets=["field_code", "province"], limit=50)
    ranked = writer.search(query)
    result = writer.search(dataclasses.replace(query, sort=[sort] if sort else []))
    assert ranked.total == result.total == len(result.hits) > 1
    assert {h.id for h in result.hits} == {h.id for h in ranked.hits}
    for name in ("field_code", "province"):
        counted: dict[str, int] = {}
        for hit in ranked.hits:
            counted[hit.document[name]] = counted.get(hit.document[name], 0) + 1
        assert result.facets[name] == counted
    only_count = writer.search(dataclasses.replace(query, limit=0))
    assert (only_count.total, only_count.facets) == (ranked.total, ranked.facets)
