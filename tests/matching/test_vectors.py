"""The two vector stores (app/matching/vectors.py): the engine's (Meilisearch's userProvided
embedder in production; here the embedded engine, which implements the same interface,
search/vectors.py) answers every use exactly as the in-memory matrix does, and the worker
keeps the vectors in the index as it keeps them in the table."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session, select

import search
from app.catalogue import indexing
from app.exchange import service as exchange
from app.exchange.schemas import ContactRequestIn
from app.initiatives.models import Field, Initiative
from app.matching import recommend, service, vectors
from app.matching.models import InitiativeVector, ProblemVector, VectorStamp
from app.problems.models import Problem
from app.publication import service as publication
from tests import factories
from tests.catalogue.conftest import publish
from tests.matching.conftest import E5, SECRET
from tests.statements import statements

ENGLISH = "water saving irrigation for coffee farms"


def every_use(session: Session, world) -> dict[str, list[tuple[int, tuple[str, ...], float]]]:
    """Uses 1, 2, 3, 6 and 7 for the same people and texts: (id, reasons, closeness)."""
    cast = world["cast"]
    investor = world["investor"]
    drip = session.get(Initiative, world["drip"])
    water = session.get(Problem, world["water"])
    assert drip is not None and water is not None
    found = {
        "for problem": recommend.initiatives_for_problem(session, cast.owner, water, emb=E5),
        "for initiative": recommend.problems_for_initiative(
            session, world["people"].submitter, drip, emb=E5
        ),
        "for user": recommend.for_user(session, investor, emb=E5),
        "search": recommend.semantic_search(session, ENGLISH, emb=E5),
        "secret": recommend.semantic_search(session, SECRET, emb=E5),
    }
    out = {k: [(m.id, m.reasons, round(m.closeness or 0, 5)) for m in v] for k, v in found.items()}
    out["similar"] = [
        (s.id, s.reasons, round(s.closeness or 0, 5))
        for s in service.similar(session, world["dryer"], emb=E5)
    ]
    return out


@pytest.fixture
def investor_world(session: Session, world):
    investor = factories.user(session, "investor", email="quy@dautu.vn")
    drip = session.get(Initiative, world["drip"])
    exchange.request_contact(
        session, investor, drip, ContactRequestIn(purpose="invest", message="Xin tìm hiểu thêm.")
    )
    session.commit()
    return {**world, "investor": investor}


def test_the_engine_store_answers_every_use_as_the_matrix_does(settings, session, investor_world):
    settings.vector_search = "memory"
    assert isinstance(vectors.initiative_vectors(session, E5), vectors.Matrix)
    in_memory = every_use(session, investor_world)
    assert in_memory["for problem"][0][0] == investor_world["drip"]
    assert [i for i, _r, _c in in_memory["for user"]] == [investor_world["dryer"]]
    assert in_memory["search"][0][0] == investor_world["drip"]

    settings.vector_search = "engine"  # then `portal reindex`: the documents take their vectors
    assert indexing.vector_dimension(settings) == E5.dimension == 384
    assert indexing.reindex(session) == 3
    store = vectors.initiative_vectors(session, E5)
    assert isinstance(store, vectors.EngineVectors)
    assert every_use(session, investor_world) == in_memory
    # The engine really searched the vectors: the drip initiative's own vector finds it first.
    drip_vector = vectors.matrix(session, E5).vector(investor_world["drip"])
    assert drip_vector is not None
    hits = (
        indexing.engine(session)
        .search(search.Query(vector=list(drip_vector), semantic_ratio=1.0, limit=3))
        .hits
    )
    assert [h.id for h in hits][0] == str(investor_world["drip"])
    assert "_vector" not in hits[0].document  # never handed back to a page
    nearest = store.nearest(drip_vector, 2)
    assert nearest[0][0] == investor_world["drip"]
    assert nearest[0][1] == pytest.approx(1.0, abs=1e-5)
    in_matrix = vectors.matrix(session, E5).nearest(drip_vector, 2)
    assert [i for i, _c in nearest] == [i for i, _c in in_matrix]
    assert [c for _i, c in nearest] == pytest.approx([c for _i, c in in_matrix], abs=1e-6)


def test_the_worker_keeps_the_vectors_in_the_index(settings, session, world, worker):
    settings.vector_search = "engine"
    indexing.reindex(session)
    people = world["people"]
    fish = publish(
        session,
        people,
        title="Nuôi tôm tuần hoàn tiết kiệm nước",
        summary="Hệ thống lọc sinh học tái sử dụng nước cho ao nuôi tôm thẻ chân trắng.",
        field=session.exec(select(Field).where(Field.code == "NN")).one(),
    )
    worker.drain()  # the index update, then the embedding, which upserts the document again
    [v] = E5.embed_passages([service.public_text(service.document(session, fish.id) or {})])
    store = vectors.initiative_vectors(session, E5)
    assert store.nearest(v, 1) == [(fish.id, pytest.approx(1.0, abs=1e-5))]
    assert np.allclose(store.vector(fish.id), v, atol=1e-6)
    # Withdrawn from publication: out of the index, its vector with it.
    publication.unpublish(session, people.coordinator, session.get(Initiative, fish.id), "Sai sót")
    session.commit()
    worker.drain()
    assert fish.id not in [i for i, _c in store.nearest(v, 10)]
    assert store.vector(fish.id) is None


def test_a_matrix_is_checked_with_one_stamp_and_reloaded_only_when_a_vector_changes(
    session: Session, world, worker
):
    """The stamp is bumped by every write and deletion of a vector, in the same transaction;
    reading it is one primary-key statement, whatever the number of vectors."""

    def stamp(kind: str) -> int:
        session.expire_all()
        row = session.get(VectorStamp, (kind, E5.name))
        return row.version if row is not None else 0

    first = vectors.matrix(session, E5)
    initiatives, problems = stamp("initiative"), stamp("problem")
    # one bump per vector written: the world's published initiatives and public problems
    assert initiatives == len(session.exec(select(InitiativeVector)).all()) == len(first.ids)
    assert problems == len(session.exec(select(ProblemVector)).all()) >= 1
    with statements() as sent:
        assert vectors.matrix(session, E5) is first  # unchanged: not reloaded
    assert len(sent) == 1 and "FROM vector_stamp" in sent[0]

    fish = session.get(Initiative, world["dryer"])
    publication.unpublish(session, world["people"].coordinator, fish, "Sai sót")
    session.commit()
    worker.drain()  # the vector is deleted
    assert stamp("initiative") == initiatives + 1
    again = vectors.matrix(session, E5)
    assert again is not first and world["dryer"] not in set(again.ids.tolist())
    assert set(again.ids.tolist()) == set(first.ids.tolist()) - {world["dryer"]}
    assert stamp("problem") == problems
