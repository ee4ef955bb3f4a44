"""`portal reindex` and `portal search-check [--repair]`."""

from __future__ import annotations

import pytest

from app.catalogue import indexing
from app.catalogue.schemas import SearchParams
from app.catalogue.service import run_search
from app.cli import main
from app.initiatives.models import Initiative

QUERIES = [
    SearchParams(q="dien"),
    SearchParams(q="nha ki"),
    SearchParams(q="he thong", sort="newest"),
    SearchParams(filters={"field": ["CNXD"], "province": ["Hà Nội"]}, sort="trl"),
    SearchParams(),
]


def snapshot(session) -> list:
    out = []
    for params in QUERIES:
        page = run_search(session, params)
        out.append(
            (
                [h.id for h in page.hits],
                page.total,
                [(f.name, [(v.value, v.count) for v in f.values]) for f in page.facets],
            )
        )
    return out


def test_reindex_gives_the_same_results_as_incremental_sync(session, corpus, capsys):
    incremental, versions = snapshot(session), indexing.engine().document_versions()
    main(["reindex"])
    out = capsys.readouterr()
    assert out.out == "reindexed 7 published initiatives and 0 open or awarded problems\n"
    assert "7/7" in out.err
    assert snapshot(session) == incremental
    assert indexing.engine().document_versions() == versions


def test_search_check_reports_and_repairs_every_kind_of_difference(session, corpus, capsys):
    eng = indexing.engine()
    grid, road = str(corpus.id("grid")), str(corpus.id("road"))
    eng.delete([grid])
    stale = indexing.document_for(session, session.get(Initiative, int(road)))
    eng.upsert(
        [
            {**stale, "version": 1},
            {"id": "999999", "title": "Không còn trong cơ sở dữ liệu", "version": 1},
        ]
    )
    with pytest.raises(SystemExit) as exit_:
        main(["search-check"])
    assert exit_.value.code == 1
    assert capsys.readouterr().out == (
        f"missing from the index (1): {grid}\n"
        f"outdated in the index (1): {road}\n"
        "in the index but not published (1): 999999\n"
    )
    main(["search-check", "--repair"])
    assert capsys.readouterr().out.endswith("repaired: index matches the database\n")
    main(["search-check"])
    assert capsys.readouterr().out == "index matches the database\n"


def test_search_check_reports_an_unavailable_index_clearly(settings, capsys):
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.search_dir.write_text("not a directory")
    with pytest.raises(SystemExit) as exited:
        main(["search-check"])
    message = str(exited.value.code)
    assert message.startswith("portal search-check: the search index (tantivy, ")
    assert "is unavailable" in message and "Traceback" not in capsys.readouterr().err
