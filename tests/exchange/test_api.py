"""The contact request API: ask, list, accept (with access to the confidential sections), refuse, withdraw."""

from __future__ import annotations

from app.exchange.models import ContactRequest
from tests.conftest import api_token
from tests.exchange.helpers import MESSAGE, ask, cast
from tests.initiatives.helpers import CONTENT


def _ask(client, headers, initiative_id, purpose="invest", message=MESSAGE):
    return client.post(
        f"/api/v1/initiatives/{initiative_id}/contact-requests",
        headers=headers,
        json={"purpose": purpose, "message": message},
    )


def test_an_investor_requests_contact_on_a_published_initiative(client, session):
    c = cast(session)
    response = _ask(client, api_token(client, c.investor.email), c.initiative.id)
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "initiative": {"id": c.initiative.id, "title": CONTENT["title"]},
        "requester": {
            "full_name": "Phạm Minh Đức",
            "organisation": "Quỹ Đổi mới Sáng tạo Phương Nam",
        },
        "purpose": "invest",
        "message": MESSAGE,
        "status": "pending",
        "created_at": body["created_at"],
        "responded_at": None,
        "response_message": "",
        "grant_confidential": False,
        "withdrawn_at": None,
        "contact": None,
    }
    assert session.get(ContactRequest, body["id"]).requester_id == c.investor.id


def test_asking_about_a_draft_or_an_unpublished_initiative_is_404(client, session):
    c = cast(session, status="draft")
    headers = api_token(client, c.investor.email)
    response = _ask(client, headers, c.initiative.id)
    assert (response.status_code, response.headers["content-type"], response.json()["type"]) == (
        404,
        "application/problem+json",
        "/problems/not-found",
    )
    c.initiative.status = "unpublished"
    session.add(c.initiative)
    session.commit()
    assert _ask(client, headers, c.initiative.id).status_code == 404
    assert _ask(client, headers, 999999).status_code == 404


def test_asking_about_ones_own_initiative_is_403(client, session):
    c = cast(session)
    response = _ask(client, api_token(client, c.submitter.email), c.initiative.id)
    assert (response.status_code, response.json()["type"]) == (403, "/problems/forbidden")


def test_a_second_pending_request_is_409(client, session):
    c = cast(session)
    headers = api_token(client, c.investor.email)
    assert _ask(client, headers, c.initiative.id).status_code == 201
    response = _ask(client, headers, c.initiative.id, purpose="partner")
    assert (response.status_code, response.json()["type"]) == (409, "/problems/conflict")


def test_a_bad_body_is_422_and_no_token_is_401(client, session):
    c = cast(session)
    headers = api_token(client, c.investor.email)
    response = _ask(client, headers, c.initiative.id, purpose="buy", message="  ")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"purpose", "message"}
    assert _ask(client, {}, c.initiative.id).status_code == 401


def test_accepting_with_access_opens_the_confidential_sections_to_the_requester(client, session):
    c = cast(session)
    investor, submitter = api_token(client, c.investor.email), api_token(client, c.submitter.email)
    request_id = _ask(client, investor, c.initiative.id).json()["id"]
    before = client.get(f"/api/v1/initiatives/{c.initiative.id}", headers=investor).json()
    assert "solution" not in before and "novelty" not in before

    response = client.post(
        f"/api/v1/contact-requests/{request_id}/accept",
        headers=submitter,
        json={"message": "Rất vui được trao đổi.", "grant_confidential": True},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["response_message"], body["grant_confidential"]) == (
        "accepted",
        "Rất vui được trao đổi.",
        True,
    )
    assert body["contact"] == {
        "full_name": "Phạm Minh Đức",
        "email": "dautu@quy.vn",
    }  # the authors see the requester

    after = client.get(f"/api/v1/initiatives/{c.initiative.id}", headers=investor).json()
    assert (after["solution"], after["novelty"], after["feasibility"]) == (
        CONTENT["solution"],
        CONTENT["novelty"],
        CONTENT["feasibility"],
    )


def test_accepting_without_access_keeps_the_confidential_sections_closed(client, session):
    c = cast(session)
    investor = api_token(client, c.investor.email)
    request_id = _ask(client, investor, c.initiative.id).json()["id"]
    response = client.post(
        f"/api/v1/contact-requests/{request_id}/accept",
        headers=api_token(client, c.submitter.email),
    )
    assert (response.status_code, response.json()["grant_confidential"]) == (200, False)
    assert (
        "solution"
        not in client.get(f"/api/v1/initiatives/{c.initiative.id}", headers=investor).json()
    )


def test_the_submitters_email_reaches_the_requester_only_after_acceptance(client, session):
    c = cast(session)
    investor = api_token(client, c.investor.email)
    request_id = _ask(client, investor, c.initiative.id).json()["id"]
    pending = client.get("/api/v1/contact-requests", headers=investor)
    assert pending.json()["sent"][0]["contact"] is None
    assert "tac.gia@vien.vn" not in pending.text
    assert (
        "tac.gia@vien.vn"
        not in client.get(f"/api/v1/initiatives/{c.initiative.id}", headers=investor).text
    )

    client.post(
        f"/api/v1/contact-requests/{request_id}/accept", headers=api_token(client, c.coauthor.email)
    )
    accepted = client.get(f"/api/v1/contact-requests/{request_id}", headers=investor).json()
    assert (accepted["status"], accepted["contact"]) == (
        "accepted",
        {"full_name": "Trần Thị Bình", "email": "tac.gia@vien.vn"},
    )


def test_refuse(client, session):
    c = cast(session)
    request_id = _ask(client, api_token(client, c.investor.email), c.initiative.id).json()["id"]
    submitter = api_token(client, c.submitter.email)
    response = client.post(
        f"/api/v1/contact-requests/{request_id}/refuse",
        headers=submitter,
        json={"message": "Đã có đối tác."},
    )
    body = response.json()
    assert (response.status_code, body["status"], body["response_message"], body["contact"]) == (
        200,
        "refused",
        "Đã có đối tác.",
        None,
    )
    again = client.post(f"/api/v1/contact-requests/{request_id}/accept", headers=submitter)
    assert (again.status_code, again.json()["type"], again.json()["current"]) == (
        409,
        "/problems/invalid-transition",
        "refused",
    )


def test_withdraw(client, session):
    c = cast(session)
    investor = api_token(client, c.investor.email)
    request_id = _ask(client, investor, c.initiative.id).json()["id"]
    assert (
        client.post(
            f"/api/v1/contact-requests/{request_id}/withdraw",
            headers=api_token(client, c.submitter.email),
        ).status_code
        == 403
    )
    response = client.post(f"/api/v1/contact-requests/{request_id}/withdraw", headers=investor)
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")
    assert (
        client.post(
            f"/api/v1/contact-requests/{request_id}/refuse",
            headers=api_token(client, c.submitter.email),
        ).status_code
        == 409
    )


def test_the_list_holds_sent_and_received_and_strangers_see_nothing(client, session):
    c = cast(session)
    sent = ask(session, c.investor, c.initiative)
    body = client.get(
        "/api/v1/contact-requests", headers=api_token(client, c.submitter.email)
    ).json()
    assert ([r["id"] for r in body["sent"]], [r["id"] for r in body["received"]]) == ([], [sent.id])
    stranger = api_token(client, c.enterprise.email)
    assert client.get("/api/v1/contact-requests", headers=stranger).json() == {
        "sent": [],
        "received": [],
    }
    assert client.get(f"/api/v1/contact-requests/{sent.id}", headers=stranger).status_code == 404
    assert (
        client.post(f"/api/v1/contact-requests/{sent.id}/accept", headers=stranger).status_code
        == 404
    )


def test_the_endpoints_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert (
        paths["/api/v1/initiatives/{initiative_id}/contact-requests"]["post"]["summary"]
        == "Request contact with the authors"
    )
    assert {p for p in paths if p.startswith("/api/v1/contact-requests")} == {
        "/api/v1/contact-requests",
        "/api/v1/contact-requests/{request_id}",
        "/api/v1/contact-requests/{request_id}/accept",
        "/api/v1/contact-requests/{request_id}/refuse",
        "/api/v1/contact-requests/{request_id}/withdraw",
        "/api/v1/contact-requests/{request_id}/deal",
    }
