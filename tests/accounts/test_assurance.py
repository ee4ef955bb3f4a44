"""The national e-ID's assurance level (acr): stored at sign-in, shown to coordinators, and a
minimum level for submitting with step-up sign-in, against the real local OIDC provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app.accounts.models import OidcIdentity, Role, User
from tests import factories
from tests.conftest import api_token
from tests.subscriptions import helpers as publishing


@pytest.fixture
def oidc(settings, oidc_provider):
    settings.oidc_issuer = oidc_provider.issuer
    settings.oidc_client_id = oidc_provider.client_id
    settings.oidc_client_secret = oidc_provider.client_secret
    return oidc_provider


def sign_in(client, provider, sub, path="/account/oidc/login?next=/", **claims):
    start = client.get(path, follow_redirects=False)
    assert start.status_code == 302
    return start, client.get(
        provider.authorize(start.headers["location"], sub, **claims), follow_redirects=False
    )


def test_the_acr_and_identifier_claims_are_stored_on_the_account(client, session, oidc):
    _start, done = sign_in(
        client,
        oidc,
        "079200000001",
        email="mai@example.vn",
        email_verified=True,
        name="Lê Thị Mai",
        acr="2",
        national_id="079200000001",
    )
    assert done.status_code == 303
    identity = session.exec(select(OidcIdentity)).one()
    assert (identity.acr, identity.claims) == ("2", {"national_id": "079200000001"})
    assert identity.signed_in_at is not None


def test_a_minimum_level_refuses_a_low_submitter_and_step_up_sign_in_lifts_it(
    client, session, settings, oidc
):
    _start, done = sign_in(
        client,
        oidc,
        "079200000002",
        email="hoa@example.vn",
        email_verified=True,
        name="Trần Thị Hoa",
        acr="1",
    )
    assert done.status_code == 303
    user = session.exec(select(User).where(User.email == "hoa@example.vn")).one()
    from tests.initiatives import helpers as initiative_helpers

    item = initiative_helpers.initiative(session, user)
    session.commit()
    settings.submit_min_acr = "2"
    refused = client.post(
        f"/api/v1/initiatives/{item.id}/submit",
        json={"confirm_similar": True},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["type"] == "/problems/step-up-required"
    assert body["step_up"] == f"/account/oidc/login?acr=2&next=%2Finitiatives%2F{item.id}"

    start, low = sign_in(client, oidc, "079200000002", path=body["step_up"], acr="1")
    assert parse_qs(urlsplit(start.headers["location"]).query)["acr_values"] == ["2"]
    assert (low.status_code, low.headers["location"]) == (303, "/account/login")

    _start, high = sign_in(client, oidc, "079200000002", path=body["step_up"], acr="2")
    assert (high.status_code, high.headers["location"]) == (303, f"/initiatives/{item.id}")
    accepted = client.post(
        f"/api/v1/initiatives/{item.id}/submit",
        json={"confirm_similar": True},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "submitted"

    coordinator = factories.user(session, Role.coordinator)
    client.cookies.clear()
    page = client.get(f"/initiatives/{item.id}", headers=api_token(client, coordinator.email))
    assert 'id="submitter-assurance"' in page.text and "<strong>2</strong>" in page.text


def test_without_a_minimum_any_account_submits(client, session, settings):
    submitter = factories.user(session, Role.submitter)
    item = publishing.submitted(session, submitter, title="Không cần định danh")
    assert item.status == "submitted"


def _csrf(client) -> str:
    from tests.conftest import csrf_of

    return csrf_of(client.get("/account/profile").text)
