"""The search contract: the same tests, unchanged, for every backend.

The embedded tantivy engine runs always; Meilisearch runs too when
``MEILISEARCH_URL`` is set (``MEILISEARCH_API_KEY`` optional), each test on
its own index that is deleted afterwards.

The fixture vocabulary is chosen so that no query word below has an
unintended neighbour one typo away (Meilisearch applies typos to every word
of 4+ letters, the embedded engine only to unknown ones).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from search import Engine, Query, make_engine


def ts(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def doc(id, title, summary, keywords, field_code, province, org_type, trl, ip, published, version):
    return {
        "id": id,
        "title": title,
        "summary": summary,
        "keywords": keywords,
        "field_code": field_code,
        "field_name": FIELD_NAMES[field_code],
        "province": province,
        "organisation": f"Tổ chức {version}{trl}",
        "organisation_type": org_type,
        "trl": trl,
        "ip_status": ip,
        "published_at": ts(published),
        "publication_year": int(published[:4]),
        "version": version,
    }


FIELD_NAMES = {
    "CNXD": "Công nghiệp và xây dựng",
    "NNMT": "Nông nghiệp, tài nguyên và môi trường",
    "GTLG": "Giao thông, bưu chính và logistics",
    "GDYT": "Giáo dục, y tế, văn hoá và xã hội",
    "TCNH": "Tài chính, ngân hàng, thương mại và dịch vụ",
    "CNS": "Công nghệ số chiến lược",
}

DOCS = [
    doc(
        "solar",
        "Hệ thống năng lượng mặt trời cho trường học",
        "Pin quang năng lắp trên mái, giảm tiền điện cho trường.",
        ["năng lượng mặt trời", "tiết kiệm điện"],
        "CNXD",
        "Hà Nội",
        "university",
        6,
        "patent",
        "2023-03-01",
        3,
    ),
    doc(
        "solar2",
        "Năng lượng mặt trời nổi trên hồ thủy lợi",
        "Tấm pin nổi phát điện trên mặt hồ chứa nước.",
        ["năng lượng mặt trời", "thủy lợi"],
        "NNMT",
        "Đắk Lắk",
        "enterprise",
        4,
        "utility",
        "2024-05-10",
        1,
    ),
    doc(
        "ai",
        "Chẩn đoán hình ảnh y khoa bằng trí tuệ nhân tạo",
        "Mô hình học sâu phát hiện tổn thương phổi trên phim X quang.",
        ["y tế số"],
        "GDYT",
        "Huế",
        "hospital",
        7,
        "none",
        "2024-01-15",
        2,
    ),
    doc(
        "road",
        "Bê tông nhựa tái chế cho đường giao thông nông thôn",
        "Vật liệu mới giúp kéo dài tuổi thọ mặt đường.",
        ["vật liệu xây dựng"],
        "GTLG",
        "Cần Thơ",
        "enterprise",
        5,
        "patent",
        "2022-09-20",
        1,
    ),
    doc(
        "ocean",
        "Bản đồ số đại dương và hải đảo",
        "Dữ liệu viễn thám phục vụ quản lý biển.",
        ["viễn thám"],
        "NNMT",
        "Khánh Hòa",
        "institute",
        3,
        "none",
        "2021-11-02",
        5,
    ),
    doc(
        "chip",
        "Thiết kế vi mạch bán dẫn công suất thấp",
        "Quy trình thiết kế cho cảm biến.",
        ["vi mạch"],
        "CNS",
        "Hà Nội",
        "university",
        4,
        "patent",
        "2024-07-01",
        1,
    ),
    doc(
        "iot",
        "Nhà kính thông minh kết nối internet vạn vật",
        "Cảm biến độ ẩm bật hệ thống tưới khi đất khô.",
        ["nông nghiệp công nghệ cao"],
        "NNMT",
        "Sơn La",
        "enterprise",
        8,
        "utility",
        "2023-08-08",
        2,
    ),
    doc(
        "bank",
        "Nền tảng thanh toán số cho hợp tác xã",
        "Ví số & sổ cái cho giao dịch nông sản.",
        ["ngân hàng số"],
        "TCNH",
        "Cần Thơ",
        "cooperative",
        6,
        "none",
        "2025-02-14",
        1,
    ),
]
ALL_IDS = {d["id"] for d in DOCS}


def _tantivy(tmp_path) -> Iterator[Engine]:
    engine = make_engine("tantivy", path=tmp_path)
    engine.ensure_index()
    yield engine


def _meilisearch(tmp_path) -> Iterator[Engine]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = make_engine(
        "meilisearch",
        url=os.environ["MEILISEARCH_URL"],
        api_key=os.environ.get("MEILISEARCH_API_KEY"),
        index_name=name,
    )
    engine.ensure_index()
    try:
        yield engine
    finally:
        engine.client.wait_for_task(engine.client.delete_index(name).task_uid)


BACKENDS = [pytest.param(_tantivy, id="tantivy")]
if os.environ.get("MEILISEARCH_URL"):
    BACKENDS.append(pytest.param(_meilisearch, id="meilisearch"))


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    """A backend holding DOCS."""
    for engine in request.param(tmp_path):
        engine.wait(engine.upsert(DOCS))
        yield engine


def same_index(engine: Engine, tmp_path) -> Engine:
    """A second engine object on the fixture's index: another process in
    production (``portal reindex`` next to the serving worker)."""
    if hasattr(engine, "index_name"):
        return make_engine(
            "meilisearch",
            url=os.environ["MEILISEARCH_URL"],
            api_key=os.environ.get("MEILISEARCH_API_KEY"),
            index_name=engine.index_name,
        )
    return make_engine("tantivy", path=tmp_path)


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def found(engine: Engine, text: str, **kw) -> set[str]:
    return set(ids(engine.search(Query(text=text, limit=50, **kw))))


def test_health(engine):
    assert engine.health() is True


def test_unaccented_query_finds_accented_text(engine):
    assert found(engine, "nang luong mat troi") == {"solar", "solar2"}


def test_d_finds_d_with_stroke(engine):
    assert found(engine, "dien") == {"solar", "solar2"}


def test_one_typo_in_long_syllable_is_corrected(engine):
    result = engine.search(Query(text="truog hoc"))
    assert ids(result) == ["solar"]
    assert result.suggestion == "trường hoc"


def test_three_letter_word_that_is_not_vietnamese_gets_one_edit(engine):
    result = engine.search(Query(text="pjn"))  # not a syllable: pin
    assert sorted(ids(result)) == ["solar", "solar2"]
    assert result.suggestion == "pin"


def test_a_valid_syllable_is_never_rewritten(engine):
    # mạnh is one edit from mạch (indexed) but a real word: left alone, then left out
    result = engine.search(Query(text="vi manh"))
    assert (ids(result)[0], result.suggestion, result.ignored) == ("chip", None, ("manh",))


def test_correct_query_has_no_suggestion(engine):
    assert engine.search(Query(text="dien")).suggestion is None


def test_last_word_is_a_prefix(engine):
    assert found(engine, "nang lu") == {"solar", "solar2"}
    assert found(engine, "nang luong mat tr") == {"solar", "solar2"}


def test_synonym_expands_query(engine):
    assert found(engine, "AI") == {"ai"}
    assert found(engine, "IoT") == {"iot"}


def test_exact_accent_ranks_first(engine):
    assert ids(engine.search(Query(text="dương")))[0] == "ocean"
    assert ids(engine.search(Query(text="đường")))[0] == "road"
    assert found(engine, "duong") == {"ocean", "road"}


def test_facet_counts(engine):
    result = engine.search(Query(facets=["field_code", "trl", "province"], limit=0))
    assert result.total == 8
    assert result.hits == []
    assert result.facets == {
        "field_code": {"CNXD": 1, "NNMT": 3, "GDYT": 1, "GTLG": 1, "CNS": 1, "TCNH": 1},
        "trl": {3: 1, 4: 2, 5: 1, 6: 2, 7: 1, 8: 1},
        "province": {
            "Hà Nội": 2,
            "Đắk Lắk": 1,
            "Huế": 1,
            "Cần Thơ": 2,
            "Khánh Hòa": 1,
            "Sơn La": 1,
        },
    }


def test_facet_counts_follow_filters(engine):
    result = engine.search(Query(filters={"field_code": ["NNMT"]}, facets=["organisation_type"]))
    assert result.facets == {"organisation_type": {"enterprise": 2, "institute": 1}}


def test_filters_or_within_and_across_fields_sorted_by_trl(engine):
    filters = {"province": ["Hà Nội", "Cần Thơ"], "ip_status": ["patent"]}
    desc = engine.search(Query(filters=filters, sort=[("trl", "desc")]))
    assert ids(desc) == ["solar", "road", "chip"]
    assert all(h.score is None for h in desc.hits)
    assert ids(engine.search(Query(filters=filters, sort=[("trl", "asc")]))) == [
        "chip",
        "road",
        "solar",
    ]


def test_text_with_filter(engine):
    assert found(engine, "nang luong", filters={"province": ["Đắk Lắk"]}) == {"solar2"}


def test_range_filters(engine):
    assert found(engine, "", ranges={"trl": (6, None)}) == {"solar", "ai", "iot", "bank"}
    assert found(engine, "", ranges={"trl": (None, 4)}) == {"solar2", "ocean", "chip"}
    window = (ts("2023-01-01"), ts("2024-02-01"))
    assert found(engine, "", ranges={"published_at": window}) == {"solar", "ai", "iot"}


def test_pagination_and_total(engine):
    by_date = [d["id"] for d in sorted(DOCS, key=lambda d: d["published_at"])]
    first = engine.search(Query(sort=[("published_at", "asc")], offset=0, limit=3))
    second = engine.search(Query(sort=[("published_at", "asc")], offset=3, limit=3))
    last = engine.search(Query(sort=[("published_at", "asc")], offset=6, limit=3))
    assert (first.total, second.total, last.total) == (8, 8, 8)
    assert ids(first) + ids(second) + ids(last) == by_date


def test_highlights_mark_matches_and_escape_html(engine):
    hit = engine.search(Query(text="nang luong mat troi", filters={"province": ["Đắk Lắk"]})).hits[
        0
    ]
    assert (
        hit.highlights["title"]
        == "<mark>Năng</mark> <mark>lượng</mark> <mark>mặt</mark> <mark>trời</mark> nổi trên hồ thủy lợi"
    )
    bank = engine.search(Query(text="giao dich")).hits
    assert [h.id for h in bank] == ["bank"]
    assert (
        bank[0].highlights["summary"]
        == "Ví số &amp; sổ cái cho <mark>giao</mark> <mark>dịch</mark> nông sản."
    )


def test_no_highlights_when_not_asked(engine):
    assert engine.search(Query(text="dien", highlight=False)).hits[0].highlights == {}


def test_delete_removes_from_results(engine):
    engine.wait(engine.delete(["road"]))
    assert found(engine, "duong") == {"ocean"}
    assert engine.search(Query(limit=0)).total == 7


def test_upsert_replaces_existing_id(engine):
    changed = dict(DOCS[0], title="Điện gió ngoài khơi", keywords=["điện gió"], version=4)
    engine.wait(engine.upsert([changed]))
    assert found(engine, "gio ngoai khoi") == {"solar"}
    assert found(engine, "nang luong mat troi") == {"solar2"}
    assert engine.search(Query(limit=0)).total == 8
    assert engine.document_versions()["solar"] == 4


def test_document_versions(engine):
    assert engine.document_versions() == {d["id"]: d["version"] for d in DOCS}


def test_rebuild_matches_incremental_index(engine):
    queries = [Query(text=t, limit=50) for t in ("nang luong", "dien", "AI", "duong", "")]
    before = [(sorted(ids(r)), r.total) for r in map(engine.search, queries)]
    progress: list[int] = []
    engine.rebuild(iter(DOCS), progress=progress.append)
    assert progress[-1] == 8
    assert [(sorted(ids(r)), r.total) for r in map(engine.search, queries)] == before
    assert engine.document_versions() == {d["id"]: d["version"] for d in DOCS}
    engine.wait(engine.upsert([dict(DOCS[0], version=9)]))  # still writable after the swap
    assert engine.document_versions()["solar"] == 9


def test_rebuild_drops_documents_not_given(engine):
    engine.rebuild(d for d in DOCS if d["id"] != "bank")
    assert set(engine.document_versions()) == ALL_IDS - {"bank"}


def test_similar_returns_related_never_itself(engine):
    hits = engine.similar("solar")
    assert hits[0].id == "solar2"
    assert "solar" not in [h.id for h in hits]
    assert [h.id for h in engine.similar("solar", filters={"province": ["Đắk Lắk"]})] == ["solar2"]
    assert engine.similar("missing") == []


def test_similar_text_finds_documents_sharing_most_words_even_with_missing_ones(engine):
    text = "Hệ thống năng lượng mặt trời cho trường học zqxwvy"  # the last word is in no document
    hits = engine.similar_text(text, limit=2)
    assert [h.id for h in hits][:1] == ["solar"]
    assert {h.id for h in hits} == {"solar", "solar2"}
    assert [h.id for h in engine.similar_text(text, filters={"province": ["Đắk Lắk"]})] == [
        "solar2"
    ]
    assert engine.similar_text("zqxwvy") == []


def test_suggest_completes_titles_and_keywords_prefix_of_the_title_first(engine):
    assert engine.suggest("nang lu") == [
        "Năng lượng mặt trời nổi trên hồ thủy lợi",
        "năng lượng mặt trời",
        "Hệ thống năng lượng mặt trời cho trường học",
    ]
    assert engine.suggest("vi mac") == ["vi mạch", "Thiết kế vi mạch bán dẫn công suất thấp"]
    assert engine.suggest("tiet ki") == ["tiết kiệm điện"]
    assert sorted(engine.suggest("ban d")) == [
        "Bản đồ số đại dương và hải đảo",
        "Thiết kế vi mạch bán dẫn công suất thấp",
    ]
    assert engine.suggest("nang lu", limit=1)[0] in {d["title"] for d in DOCS[:2]}
    assert len(engine.suggest("nang lu", limit=1)) == 1


def test_set_synonyms_takes_effect(engine):
    assert found(engine, "glasshouse") == set()
    engine.wait(engine.set_synonyms([["nhà kính", "glasshouse"]]))
    assert found(engine, "glasshouse") == {"iot"}
    assert found(engine, "AI") == set()  # the new groups replace the old ones


def test_ensure_index_is_idempotent(engine):
    engine.ensure_index()
    assert engine.search(Query(limit=0)).total == 8
    assert found(engine, "AI") == {"ai"}


def test_unknown_filter_field_is_rejected(engine):
    with pytest.raises(ValueError):
        engine.search(Query(filters={"title": ["x"]}))


def test_writes_after_a_rebuild_by_another_engine_are_kept(engine, tmp_path):
    other = same_index(engine, tmp_path)  # the fixture's engine holds its writer
    other.rebuild(iter(DOCS))
    engine.wait(
        engine.upsert([dict(DOCS[0], id="x", title="Cảm biến rung cho cầu treo", version=1)])
    )
    engine.wait(engine.delete(["bank"]))
    assert found(other, "cau treo") == {"x"}
    assert set(other.document_versions()) == ALL_IDS - {"bank"} | {"x"}


def test_equal_sort_values_are_ordered_by_id_on_every_page_and_after_a_rebuild(engine):
    no_trl = [{k: v for k, v in dict(DOCS[3], id=i).items() if k != "trl"} for i in ("zz", "aa")]
    engine.wait(engine.upsert([*no_trl, DOCS[0]]))  # solar is now written after bank

    def pages(direction: str, size: int) -> list[list[str]]:
        return [
            ids(engine.search(Query(sort=[("trl", direction)], offset=o, limit=size)))
            for o in range(0, 10, size)
        ]

    # trl: iot 8, ai 7, bank = solar 6, road 5, chip = solar2 4, ocean 3; aa and zz have none (last)
    desc = [["iot", "ai", "bank"], ["solar", "road", "chip"], ["solar2", "ocean", "aa"], ["zz"]]
    asc = [["ocean", "chip"], ["solar2", "road"], ["bank", "solar"], ["ai", "iot"], ["aa", "zz"]]
    assert (pages("desc", 3), pages("asc", 2)) == (desc, asc)
    engine.rebuild(reversed([*DOCS, *no_trl]))
    assert (pages("desc", 3), pages("asc", 2)) == (desc, asc)


def test_did_you_mean_keeps_the_users_casing_and_is_offered_only_when_it_finds_something(
    engine,
):
    result = engine.search(Query(text="Truog", filters={"province": ["Hà Nội"]}))
    assert (ids(result), result.suggestion) == (["solar"], "Trường")
    assert engine.search(Query(text="TRUOG hoc")).suggestion == "TRƯỜNG hoc"
    # the filters exclude the corrected query's every hit: no suggestion that finds nothing
    result = engine.search(Query(text="truog", filters={"province": ["Huế"]}))
    assert (result.total, result.suggestion) == (0, None)


def test_old_and_new_tone_placement_both_get_the_exact_accent_bonus(engine):
    # ocean is in "Khánh Hòa" (old placement); ai's field name has "văn hoá" (another tone)
    assert found(engine, "hoa") == {"ocean", "ai"}
    assert ids(engine.search(Query(text="hòa")))[0] == "ocean"
    assert ids(engine.search(Query(text="hoà")))[0] == "ocean"
    assert ids(engine.search(Query(text="hóa")))[0] == "ai"
