"""The problem statement kind (đặt hàng): the second document kind, held to
the same contract on every backend (tantivy always, Meilisearch when
``MEILISEARCH_URL`` is set), behind the same interface as initiatives."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from search import Engine, Query, make_engine
from search.documents import PROBLEM_SETTINGS
from tests.search.test_engine_contract import ts


def problem(id, title, summary, *, provinces, status="open", funding="state_order", trl=6,
            band="1b_5b", owner="enterprise", deadline="2027-01-31", opened="2026-10-01",
            keywords=(), pain=""):  # fmt: skip
    return {
        "id": id,
        "title": title,
        "summary": summary,
        "pain": pain,
        "keywords": list(keywords),
        "field_code": "NNMT",
        "field_name": "Nông nghiệp, tài nguyên và môi trường",
        "organisation": f"Công ty {id}",
        "owner_type": owner,
        "status": status,
        "scope": "provinces" if provinces else "national",
        "provinces": list(provinces),
        "funding_mode": funding,
        "budget_band": band,
        "target_trl": trl,
        "deadline": ts(deadline),
        "opened_at": ts(opened),
        "version": 1,
    }


DOCS = [
    problem(
        "dragon",
        "Giảm thất thoát sau thu hoạch thanh long",
        "Bảo quản thanh long xuất khẩu tươi lâu hơn.",
        provinces=["Bình Thuận", "Lâm Đồng"],
        funding="enterprise_led",
        trl=7,
        keywords=["tỷ lệ thất thoát"],
        pain="Thối hỏng trong kho.",
    ),
    problem(
        "rice",
        "Thất thoát sau thu hoạch lúa",
        "Giảm hao hụt lúa khi phơi sấy.",
        provinces=[],
        owner="national",
        band="over_5b",
        opened="2026-11-01",
    ),
    problem(
        "soil",
        "Cảm biến độ ẩm đất cho vườn cà phê",
        "Đo độ ẩm đất, tưới đúng lịch.",
        provinces=["Sơn La"],
        status="awarded",
        funding="prize",
        trl=5,
        band="over_5b",
        deadline="2026-12-15",
        opened="2026-09-01",
    ),
]


def _tantivy(tmp_path) -> Iterator[Engine]:
    engine = make_engine("tantivy", path=tmp_path, index_name="problems", settings=PROBLEM_SETTINGS)
    engine.ensure_index()
    yield engine


def _meilisearch(tmp_path) -> Iterator[Engine]:
    name = f"test_problems_{uuid.uuid4().hex[:12]}"
    engine = make_engine(
        "meilisearch",
        url=os.environ["MEILISEARCH_URL"],
        api_key=os.environ.get("MEILISEARCH_API_KEY"),
        index_name=name,
        settings=PROBLEM_SETTINGS,
    )
    engine.ensure_index()
    try:
        yield engine
    finally:
        engine.client.wait_for_task(engine.client.delete_index(name).task_uid)  # type: ignore[attr-defined]


BACKENDS = [pytest.param(_tantivy, id="tantivy")]
if os.environ.get("MEILISEARCH_URL"):
    BACKENDS.append(pytest.param(_meilisearch, id="meilisearch"))


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    for engine in request.param(tmp_path):
        engine.wait(engine.upsert(DOCS))
        yield engine


def ids(engine: Engine, text: str = "", **kw) -> list[str]:
    return [h.id for h in engine.search(Query(text=text, limit=50, **kw)).hits]


def test_an_unaccented_query_finds_the_problem(engine):
    assert set(ids(engine, "that thoat sau thu hoach")) == {"dragon", "rice"}
    assert ids(engine, "cam bien do am") == ["soil"]
    assert ids(engine, "THẤT thoát thanh long") == ["dragon"]


def test_a_province_of_a_list_is_found_and_filtered(engine):
    assert ids(engine, "binh thuan") == ["dragon"]
    assert ids(
        engine, filters={"provinces": ["Lâm Đồng", "Sơn La"]}, sort=[("opened_at", "desc")]
    ) == [
        "dragon",
        "soil",
    ]


def test_facet_counts_for_problems(engine):
    result = engine.search(
        Query(
            facets=(
                "status",
                "provinces",
                "funding_mode",
                "budget_band",
                "target_trl",
                "owner_type",
                "scope",
            )
        )
    )
    assert result.total == 3
    assert result.facets == {
        "status": {"open": 2, "awarded": 1},
        "provinces": {"Bình Thuận": 1, "Lâm Đồng": 1, "Sơn La": 1},
        "funding_mode": {"enterprise_led": 1, "state_order": 1, "prize": 1},
        "budget_band": {"1b_5b": 1, "over_5b": 2},
        "target_trl": {7: 1, 6: 1, 5: 1},
        "owner_type": {"enterprise": 2, "national": 1},
        "scope": {"provinces": 2, "national": 1},
    }
    narrowed = engine.search(Query(filters={"budget_band": ["over_5b"]}, facets=("status",)))
    assert narrowed.facets == {"status": {"open": 1, "awarded": 1}}


def test_newest_first_and_a_deadline_range(engine):
    assert ids(engine, sort=[("opened_at", "desc")]) == ["rice", "dragon", "soil"]
    assert ids(
        engine, ranges={"deadline": (ts("2027-01-01"), None)}, sort=[("opened_at", "asc")]
    ) == [
        "dragon",
        "rice",
    ]


def test_a_problem_no_longer_searchable_is_deleted_from_the_index(engine):
    engine.wait(engine.delete(["dragon"]))
    assert ids(engine, "thanh long") == []
    assert ids(engine, "that thoat") == ["rice"]


def test_only_whitelisted_fields_reach_the_index(engine):
    secret = {**DOCS[0], "details": "bí mật kinh doanh ZXQ-4471"}
    with pytest.raises(ValueError, match="unknown document fields: \\['details'\\]"):
        engine.upsert([secret])
    assert ids(engine, "ZXQ-4471") == []


def test_relaxing_and_the_notice_work_for_problems_too(engine):
    result = engine.search(Query(text="thanh long platform"))
    assert ([h.id for h in result.hits], result.ignored) == (["dragon"], ("platform",))


def test_similar_problems_and_suggestions(engine):
    assert [h.id for h in engine.similar("dragon")] == ["rice"]
    assert engine.suggest("cam bien") == ["Cảm biến độ ẩm đất cho vườn cà phê"]


def test_rebuild_keeps_the_problem_kind(engine):
    engine.rebuild(iter(DOCS[1:]))
    assert set(ids(engine)) == {"rice", "soil"}
    assert engine.document_versions() == {"rice": 1, "soil": 1}
