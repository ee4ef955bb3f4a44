"""The publication API: proposals and answers, publishing and unpublishing, public verification."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import User
from app.publication.models import SummaryProposal
from tests.conftest import api_token
from tests.reviews import helpers as h


def test_propose_answer_publish_and_unpublish_through_the_api(client, session):
    boss = h.coordinator(session)
    item = h.initiatives.initiative(session, h.factories.user(session), status="selected")
    coordinator = api_token(client, boss.email)
    submitter = api_token(client, session.get(User, item.submitter_id).email)
    summary = "Tóm tắt đã biên tập cho công chúng đọc."

    proposed = client.post(
        f"/api/v1/initiatives/{item.id}/summary-proposals",
        json={"summary": summary},
        headers=coordinator,
    )
    assert proposed.status_code == 201, proposed.text
    proposal_id = proposed.json()["id"]
    assert (
        client.post(
            f"/api/v1/summary-proposals/{proposal_id}/answer",
            json={"accept": True},
            headers=coordinator,
        ).status_code
        == 403
    )
    answered = client.post(
        f"/api/v1/summary-proposals/{proposal_id}/answer", json={"accept": True}, headers=submitter
    )
    assert (answered.status_code, answered.json()["status"]) == (200, "accepted")

    published = client.post(f"/api/v1/initiatives/{item.id}/publication", headers=coordinator)
    assert published.status_code == 201
    number = published.json()["number"]
    assert client.get(f"/api/v1/certificates/{number}").json()["valid"] is True

    refused = client.post(
        f"/api/v1/initiatives/{item.id}/unpublication", json={"reason": ""}, headers=coordinator
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    gone = client.post(
        f"/api/v1/initiatives/{item.id}/unpublication",
        json={"reason": "Phát hiện trùng lặp."},
        headers=coordinator,
    )
    assert gone.status_code == 204
    assert client.get(f"/api/v1/certificates/{number}").json()["valid"] is False


def test_unknown_initiatives_and_proposals_are_404_problems(client, session):
    coordinator = api_token(client, h.coordinator(session).email)
    for path, body in [
        ("/api/v1/initiatives/999999/summary-proposals", {"summary": "Tóm tắt."}),
        ("/api/v1/summary-proposals/999999/answer", {"accept": True}),
        ("/api/v1/initiatives/999999/publication", None),
    ]:
        answer = client.post(path, json=body, headers=coordinator)
        assert (answer.status_code, answer.json()["type"]) == (404, "/problems/not-found"), path
    assert session.exec(select(SummaryProposal)).all() == []
