"""No stage of the official process can be skipped, through the web or the API (issue 10 §1).

Review is entered only by joining a round; selection or rejection after review only through a
decision with the round's wanted number of submitted reviews or a recorded override; publication
only through the publication service, which issues the certificate.
"""

from __future__ import annotations

from sqlmodel import select

from app.initiatives.models import Initiative, InitiativeEvent
from app.publication.models import Certificate
from app.reviews.models import Decision
from tests.conftest import api_token, csrf_of, web_login
from tests.reviews import helpers as h


def _problem(answer) -> tuple[int, str]:
    return answer.status_code, answer.json()["type"]


def _status(session, item) -> str:
    session.expire_all()
    return session.get(Initiative, item.id).status


def test_the_api_refuses_every_shortcut_with_the_documented_problem(client, session):
    boss = h.coordinator(session)
    screening = h.screened(session)
    reviewing = h.screened(session, title="Đang đánh giá")
    round = h.open_round(session, boss, [reviewing])
    headers = api_token(client, boss.email)

    def move(item, to):
        return client.post(
            f"/api/v1/initiatives/{item.id}/transitions",
            json={"to": to, "reason": "Lý do"},
            headers=headers,
        )

    assert _problem(move(screening, "in_review")) == (409, "/problems/needs-review-round")
    assert _problem(move(reviewing, "selected")) == (409, "/problems/needs-decision")
    assert _problem(move(reviewing, "rejected")) == (409, "/problems/needs-decision")
    assert _problem(move(reviewing, "returned_for_revision")) == (409, "/problems/needs-decision")
    # The moves offered to the caller are only those valid on their own.
    offered = client.get(f"/api/v1/initiatives/{screening.id}/transitions", headers=headers)
    assert offered.json() == ["returned_for_revision", "rejected"]
    assert (_status(session, screening), _status(session, reviewing)) == ("screening", "in_review")
    # A decision with no submitted review: refused, then made with an override reason.
    body = {"initiative_id": reviewing.id, "outcome": "select", "rationale": "Rất hứa hẹn."}
    short = client.post(f"/api/v1/review-rounds/{round.id}/decisions", json=body, headers=headers)
    assert _problem(short) == (409, "/problems/too-few-reviews")
    # problem+json leaves out empty fields: no "submitted_reviews" means none.
    assert (short.json().get("submitted_reviews"), short.json()["minimum_reviews"]) == (None, 3)
    body["override_reason"] = "Chuyên gia duy nhất phù hợp đã rút lui"
    made = client.post(f"/api/v1/review-rounds/{round.id}/decisions", json=body, headers=headers)
    assert made.status_code == 201
    assert made.json()["override_reason"] == "Chuyên gia duy nhất phù hợp đã rút lui"
    assert _problem(move(reviewing, "published")) == (409, "/problems/needs-publication")
    assert _status(session, reviewing) == "selected"
    assert session.exec(select(Certificate)).all() == []
    published = client.post(f"/api/v1/initiatives/{reviewing.id}/publication", headers=headers)
    assert published.status_code == 201, published.text
    assert _status(session, reviewing) == "published"
    assert [c.initiative_id for c in session.exec(select(Certificate))] == [reviewing.id]


def test_an_override_is_in_the_history_and_on_the_ranking(client, session):
    boss = h.coordinator(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=2)
    person = h.reviewer(session)
    h.submit(session, person, h.cleared(session, round, item, person, boss), 8, 8, 8, 8, 8)
    web_login(client, boss.email)
    page = client.get(f"/reviews/rounds/{round.id}/items/{item.id}/decide")
    assert 'name="override_reason"' in page.text
    data = {"csrf_token": csrf_of(page.text), "outcome": "reject", "rationale": "Chưa mới."}
    unconfirmed = client.post(f"/reviews/rounds/{round.id}/items/{item.id}/decide", data=data)
    assert unconfirmed.status_code == 400 and 'id="e-confirm"' in unconfirmed.text
    data["confirm"] = "yes"
    refused = client.post(f"/reviews/rounds/{round.id}/items/{item.id}/decide", data=data)
    assert refused.status_code == 400
    assert 'id="e-override_reason"' in refused.text and 'value="reject" selected' in refused.text
    assert _status(session, item) == "in_review"
    data["override_reason"] = "Chuyên gia thứ hai không phản hồi sau ba lần nhắc"
    done = client.post(
        f"/reviews/rounds/{round.id}/items/{item.id}/decide", data=data, follow_redirects=False
    )
    assert done.status_code == 303
    assert _status(session, item) == "rejected"
    decision = session.exec(select(Decision)).one()
    assert decision.override_reason == "Chuyên gia thứ hai không phản hồi sau ba lần nhắc"
    last = session.exec(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == item.id)
        .order_by(InitiativeEvent.seq.desc())
    ).first()
    assert last.reason == (
        "Chưa mới.\n\nQuyết định với 1 trên 2 đánh giá. "
        "Lý do quyết định ngoại lệ: Chuyên gia thứ hai không phản hồi sau ba lần nhắc"
    )
    ranking = client.get(f"/reviews/rounds/{round.id}/ranking")
    assert "Ngoại lệ: quyết định với 1 trên 2 đánh giá" in ranking.text
    assert "Chuyên gia thứ hai không phản hồi sau ba lần nhắc" in ranking.text


def test_the_web_refuses_shortcuts_and_the_page_offers_only_valid_moves(client, session):
    boss = h.coordinator(session)
    item = h.screened(session)
    web_login(client, boss.email)
    page = client.get(f"/initiatives/{item.id}")
    assert 'name="to" value="in_review"' not in page.text
    assert f'href="/reviews/rounds/new?initiative={item.id}"' in page.text
    answer = client.post(
        f"/initiatives/{item.id}/transition",
        data={"csrf_token": csrf_of(page.text), "to": "in_review"},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 409
    assert "chỉ được đưa vào đánh giá bằng cách tham gia một đợt đánh giá" in answer.text
    assert _status(session, item) == "screening"


def test_an_initiative_joins_an_existing_open_round_from_its_page(client, session):
    boss = h.coordinator(session)
    round = h.open_round(session, boss, [h.screened(session)])
    late = h.screened(session, title="Nộp muộn")
    web_login(client, boss.email)
    page = client.get(f"/initiatives/{late.id}")
    assert f'action="/reviews/rounds/{round.id}/items"' in page.text
    added = client.post(
        f"/reviews/rounds/{round.id}/items",
        data={
            "csrf_token": csrf_of(page.text),
            "initiative_id": str(late.id),
            "next": f"/initiatives/{late.id}",
        },
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (303, f"/initiatives/{late.id}")
    assert _status(session, late) == "in_review"
    page = client.get(f"/initiatives/{late.id}")
    assert f'href="/reviews/rounds/{round.id}/items/{late.id}/decide"' in page.text


def test_the_api_adds_to_an_open_round_and_refuses_a_closed_one(client, session):
    boss = h.coordinator(session)
    round = h.open_round(session, boss, [h.screened(session)])
    late, later = h.screened(session, title="Muộn"), h.screened(session, title="Muộn hơn")
    headers = api_token(client, boss.email)
    added = client.post(
        f"/api/v1/review-rounds/{round.id}/items",
        json={"initiative_ids": [late.id]},
        headers=headers,
    )
    assert added.status_code == 200 and _status(session, late) == "in_review"
    assert (
        client.post(f"/api/v1/review-rounds/{round.id}/close", headers=headers).status_code == 200
    )
    closed = client.post(
        f"/api/v1/review-rounds/{round.id}/items",
        json={"initiative_ids": [later.id]},
        headers=headers,
    )
    assert _problem(closed) == (409, "/problems/conflict")
    assert _status(session, later) == "screening"


def test_publishing_and_closing_a_round_on_the_web_need_a_confirmation(client, session):
    boss = h.coordinator(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item], reviews_wanted=1)
    person = h.reviewer(session)
    h.submit(session, person, h.cleared(session, round, item, person, boss), 8, 8, 8, 8, 8)
    web_login(client, boss.email)
    token = csrf_of(client.get(f"/reviews/rounds/{round.id}").text)
    kept = client.post(
        f"/reviews/rounds/{round.id}/close", data={"csrf_token": token}, follow_redirects=False
    )
    assert kept.status_code == 303
    session.expire_all()
    assert session.get(type(round), round.id).status == "open"
    client.post(f"/reviews/rounds/{round.id}/close", data={"csrf_token": token, "confirm": "yes"})
    session.expire_all()
    assert session.get(type(round), round.id).status == "closed"
    from app.reviews import decisions

    decisions.decide(session, boss, session.get(type(round), round.id), item, "select", "Tốt.")
    session.commit()
    desk = client.get(f"/publication/initiatives/{item.id}")
    assert 'name="confirm"' in desk.text
    unconfirmed = client.post(
        f"/publication/initiatives/{item.id}/publish", data={"csrf_token": csrf_of(desk.text)}
    )
    assert unconfirmed.status_code == 400 and 'id="e-confirm"' in unconfirmed.text
    assert _status(session, item) == "selected"
    client.post(
        f"/publication/initiatives/{item.id}/publish",
        data={"csrf_token": csrf_of(desk.text), "confirm": "yes"},
    )
    assert _status(session, item) == "published"
    assert len(session.exec(select(Certificate)).all()) == 1
