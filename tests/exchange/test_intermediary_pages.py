"""Intermediary pages and API: directory, profile, request, answer, deliver, rate; bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import OrganisationType, Role
from app.exchange.models import IntermediaryProfile, ServiceRequest
from tests import factories
from tests.conftest import api_token, csrf_of, web_login
from tests.exchange.deal_helpers import cast


def _client(app, email: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    if email:
        web_login(client, email)
    return client


def _post(client: TestClient, page: str, action: str, data: dict):
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def _fresh(session):
    session.rollback()
    session.expire_all()


def test_an_intermediary_is_found_asked_delivers_and_is_rated(app, session):
    c = cast(session)
    centre = factories.organisation(
        session, "Trung tâm Định giá Công nghệ Tây Nguyên", type=OrganisationType.intermediary
    )
    agent = factories.user(
        session, Role.intermediary, email="dinhgia@taynguyen.vn", organisation_id=centre.id
    )
    intermediary = _client(app, agent.email)
    bad = _post(
        intermediary,
        "/exchange/intermediary/profile",
        "/exchange/intermediary/profile",
        {"description": "Định giá", "price_band": "medium"},
    )
    assert bad.status_code == 400
    _fresh(session)
    assert session.exec(select(IntermediaryProfile)).all() == []
    saved = intermediary.post(
        "/exchange/intermediary/profile",
        data={
            "csrf_token": csrf_of(intermediary.get("/exchange/intermediary/profile").text),
            "services": ["ip_valuation", "incubator"],
            "description": "Định giá công nghệ nông nghiệp",
            "fields": "agriculture",
            "provinces": "Đắk Lắk, Gia Lai",
            "price_band": "low",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    _fresh(session)
    profile = session.exec(select(IntermediaryProfile)).one()
    assert profile.provinces == ["Đắk Lắk", "Gia Lai"]

    anonymous = _client(app, None)
    listing = anonymous.get("/exchange/intermediaries?q=nông nghiệp&province=Gia Lai")
    assert listing.status_code == 200
    assert f'href="/exchange/intermediaries/{profile.id}"' in listing.text
    assert (
        f'href="/exchange/intermediaries/{profile.id}"'
        not in anonymous.get("/exchange/intermediaries?service=ip_agent").text
    )
    assert anonymous.get(f"/api/v1/intermediaries/{profile.id}").json()["services"] == [
        "ip_valuation",
        "incubator",
    ]

    submitter = _client(app, c.submitter.email)
    page = f"/exchange/intermediaries/{profile.id}"
    asked = _post(
        submitter,
        page,
        f"{page}/request",
        {"service": "ip_valuation", "initiative_id": str(c.initiative.id), "message": "Định giá"},
    )
    assert asked.status_code == 303
    _fresh(session)
    request = session.exec(select(ServiceRequest)).one()

    headers = api_token(_client(app, None), c.submitter.email)
    early = anonymous.post(
        f"/api/v1/service-requests/{request.id}/rate", json={"rating": 5}, headers=headers
    )
    assert (early.status_code, early.json()["type"]) == (409, "/problems/invalid-transition")

    assert (
        _post(
            intermediary, "/exchange/services", f"/exchange/services/{request.id}/accept", {}
        ).status_code
        == 303
    )
    assert (
        _post(
            intermediary, "/exchange/services", f"/exchange/services/{request.id}/deliver", {}
        ).status_code
        == 303
    )
    nine = _post(
        submitter, "/exchange/services", f"/exchange/services/{request.id}/rate", {"rating": "9"}
    )
    assert nine.status_code == 400
    _fresh(session)
    assert session.get(ServiceRequest, request.id).rating is None
    rated = _post(
        submitter,
        "/exchange/services",
        f"/exchange/services/{request.id}/rate",
        {"rating": "4", "comment": "Hữu ích"},
    )
    assert rated.status_code == 303
    again = anonymous.post(
        f"/api/v1/service-requests/{request.id}/rate", json={"rating": 1}, headers=headers
    )
    assert again.status_code == 409
    _fresh(session)
    row = session.get(ServiceRequest, request.id)
    assert (row.status, row.rating, row.rating_comment) == ("delivered", 4, "Hữu ích")
    public = anonymous.get(page).text
    assert "Hữu ích" in public and "4/5" in public and "100%" in public
