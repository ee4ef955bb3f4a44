"""Hybrid search with hard filters (search/vectors.py), the same on every backend:
tantivy always, Meilisearch (userProvided embedder) when ``MEILISEARCH_URL`` is set.

Vectors are four-dimensional and hand-made so that every closeness is known:
the "energy" direction, the "farming" direction, the "health" direction and
the "money" direction.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator

import pytest

from search import Engine, Query, make_engine
from search.documents import INITIATIVE_SETTINGS
from tests.search.test_engine_contract import DOCS

SETTINGS = dataclasses.replace(INITIATIVE_SETTINGS, vector=4)
ENERGY, FARM, HEALTH, MONEY = [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]
VECTORS = {
    "solar": [0.9, 0.1, 0, 0],  # CNXD, Hà Nội, TRL 6
    "solar2": [0.8, 0.5, 0, 0],  # NNMT, Đắk Lắk, TRL 4
    "ai": [0, 0, 1, 0],  # GDYT, Huế, TRL 7
    "road": [0.2, 0.1, 0, 0.3],  # GTLG, Cần Thơ, TRL 5
    "ocean": [0, 0.7, 0.1, 0],  # NNMT, Khánh Hòa, TRL 3
    "iot": [0.1, 0.9, 0, 0],  # NNMT, Sơn La, TRL 8
    "bank": [0, 0, 0, 1],  # TCNH, Cần Thơ, TRL 6
    # "chip" has no vector: it takes part in word matching only
}
STAGES = {"iot": "commercialising"}


def _tantivy(tmp_path) -> Iterator[Engine]:
    engine = make_engine("tantivy", path=tmp_path, settings=SETTINGS)
    engine.ensure_index()
    yield engine


def _meilisearch(tmp_path) -> Iterator[Engine]:
    name = f"test_hybrid_{uuid.uuid4().hex[:12]}"
    engine = make_engine(
        "meilisearch",
        url=os.environ["MEILISEARCH_URL"],
        api_key=os.environ.get("MEILISEARCH_API_KEY"),
        index_name=name,
        settings=SETTINGS,
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
        docs = [
            {**d, "_vector": VECTORS[d["id"]], "stage": STAGES.get(d["id"], "published")}
            if d["id"] in VECTORS
            else d
            for d in DOCS
        ]
        engine.wait(engine.upsert(docs))
        yield engine


def ids(engine: Engine, **kw) -> list[str]:
    return [h.id for h in engine.search(Query(limit=50, **kw)).hits]


def test_meaning_alone_ranks_by_closeness_and_leaves_out_documents_without_a_vector(engine):
    assert ids(engine, vector=FARM, semantic_ratio=1.0)[:3] == ["iot", "ocean", "solar2"]
    assert "chip" not in ids(engine, vector=FARM, semantic_ratio=1.0)


def test_meaning_finds_what_no_word_matches(engine):
    # "aeroponics" is in no document; its meaning is farming
    assert ids(engine, text="aeroponics", relax=False) == []
    assert ids(engine, text="aeroponics", vector=FARM, semantic_ratio=1.0)[0] == "iot"


def test_hard_filters_apply_before_ranking(engine):
    # the closest in meaning (solar, Hà Nội) is outside the field filter: never shown
    found = ids(engine, vector=ENERGY, semantic_ratio=1.0, filters={"field_code": ["NNMT"]})
    assert found == ["solar2", "iot", "ocean"]
    found = ids(engine, vector=MONEY, semantic_ratio=1.0, filters={"province": ["Cần Thơ"]})
    assert found == ["bank", "road"]
    found = ids(engine, vector=FARM, semantic_ratio=1.0, filters={"stage": ["commercialising"]})
    assert found == ["iot"]
    found = ids(
        engine,
        text="năng lượng",
        vector=ENERGY,
        semantic_ratio=0.5,
        filters={"field_code": ["NNMT", "GTLG"]},
        ranges={"trl": (4, 6)},
    )
    assert found[0] == "solar2" and set(found) <= {"solar2", "road"}


def test_words_and_meaning_are_fused(engine):
    # "vi mạch" matches chip (no vector) by words; health's closest is ai: both appear
    found = ids(engine, text="vi mạch", vector=HEALTH, semantic_ratio=0.5)
    assert {"chip", "ai"} <= set(found)
    assert found.index("ai") < found.index("solar")


def test_a_ratio_of_zero_is_the_lexical_search(engine):
    lexical = ids(engine, text="năng lượng mặt trời")
    assert ids(engine, text="năng lượng mặt trời", vector=HEALTH, semantic_ratio=0.0) == lexical


def test_a_vector_of_the_wrong_dimension_is_refused(engine):
    with pytest.raises(ValueError, match="dimension 3"):
        engine.search(Query(vector=[1, 0, 0]))
    with pytest.raises(ValueError, match="dimension 2"):
        engine.upsert([{**DOCS[0], "_vector": [1, 0]}])
    with pytest.raises(ValueError, match="sorted"):
        engine.search(Query(vector=ENERGY, sort=[("trl", "desc")]))


def test_an_index_without_vectors_refuses_them(tmp_path):
    plain = make_engine("tantivy", path=tmp_path)
    plain.ensure_index()
    with pytest.raises(ValueError, match="takes no vectors"):
        plain.upsert([{**DOCS[0], "_vector": ENERGY}])
    with pytest.raises(ValueError, match="takes no vectors"):
        plain.search(Query(vector=ENERGY))


def test_a_new_vector_takes_effect_on_the_next_search(engine):
    assert ids(engine, vector=HEALTH, semantic_ratio=1.0)[0] == "ai"
    engine.wait(engine.upsert([{**DOCS[-1], "_vector": [0, 0, 1, 0.1]}]))  # bank
    engine.wait(engine.upsert([{**DOCS[2], "_vector": [0, 0, 0.2, 1]}]))  # ai
    assert ids(engine, vector=HEALTH, semantic_ratio=1.0)[0] == "bank"
