"""The demo shows the feature: a partner whose printed credentials work, and a forwarded initiative."""

from __future__ import annotations

from sqlmodel import select

from app.demo import load_demo
from app.partners import demo
from app.partners.models import ForwardedInitiative
from tests.partners import helpers


def test_the_demo_partner_credentials_are_printed_and_work(client, session):
    lines = load_demo(session)
    session.commit()
    assert f"  CLIENT_ID={demo.DEMO_CLIENT_ID}" in lines
    assert f"  CLIENT_SECRET={demo.DEMO_SECRET}" in lines
    [record] = session.exec(select(ForwardedInitiative)).all()
    assert record.external_id == "LGSP-CT-2026-000007"
    response = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials", "scope": "initiatives:read"},
        auth=(demo.DEMO_CLIENT_ID, demo.DEMO_SECRET),
    )
    assert response.status_code == 200
    status = client.get(
        "/api/v1/partners/initiatives/LGSP-CT-2026-000007",
        headers=helpers.bearer(response.json()["access_token"]),
    )
    assert status.json()["status"] == "submitted"
