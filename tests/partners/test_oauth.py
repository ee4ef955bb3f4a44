"""The client-credentials grant, scopes, rotation with overlap, revocation, scope enforcement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import utcnow
from app.partners import service
from app.partners.models import (
    SCOPE_CHANGES,
    SCOPE_FORWARD,
    SCOPE_READ,
    SCOPE_STATISTICS,
    PartnerCall,
    PartnerToken,
)
from tests.partners import helpers

PARTNER_ENDPOINTS = [
    ("POST", "/api/v1/partners/initiatives", SCOPE_FORWARD),
    ("GET", "/api/v1/partners/initiatives/LGSP-1", SCOPE_READ),
    ("GET", "/api/v1/partners/monitoring/weekly", SCOPE_STATISTICS),
    ("GET", "/api/v1/changes", SCOPE_CHANGES),
]


def test_a_partner_gets_a_short_lived_token_with_basic_or_form_credentials(client, session):
    partner, secret = helpers.partner(session)
    basic = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, secret),
    )
    assert basic.status_code == 200, basic.text
    body = basic.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert body["scope"] == "initiatives:forward initiatives:read statistics:read changes:read"
    assert body["access_token"].startswith("pt_")
    assert basic.headers["cache-control"] == "no-store"

    posted = client.post(
        "/api/v1/partners/token",
        data={
            "grant_type": "client_credentials",
            "client_id": partner.client_id,
            "client_secret": secret,
            "scope": "changes:read",
        },
    )
    assert posted.status_code == 200
    assert posted.json()["scope"] == "changes:read"
    stored = session.exec(select(PartnerToken).order_by(PartnerToken.id)).all()
    assert [t.scopes for t in stored] == [list(partner.scopes), ["changes:read"]]
    assert all(t.token_hash != body["access_token"] for t in stored)


def test_wrong_secret_unknown_client_bad_grant_and_foreign_scope_are_problems(client, session):
    partner, secret = helpers.partner(session, scopes=(SCOPE_CHANGES,))
    wrong = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, "ps_wrong"),
    )
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert (wrong.json()["error"], wrong.json()["type"]) == (
        "invalid_client",
        "/problems/oauth-invalid-client",
    )
    unknown = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=("pc_nobody", secret),
    )
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    grant = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "password", "username": "a", "password": "b"},
        auth=(partner.client_id, secret),
    )
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
    scope = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials", "scope": "initiatives:forward"},
        auth=(partner.client_id, secret),
    )
    assert (scope.status_code, scope.json()["error"]) == (400, "invalid_scope")
    assert session.exec(select(PartnerToken)).all() == []


@pytest.mark.parametrize(("method", "path", "scope"), PARTNER_ENDPOINTS)
def test_every_partner_endpoint_refuses_a_token_without_its_scope(
    client, session, method, path, scope
):
    partner, secret = helpers.partner(session)
    others = " ".join(s for s in partner.scopes if s != scope)
    access = helpers.token(client, partner, secret, scope=others)
    refused = client.request(method, path, headers=helpers.bearer(access))
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/insufficient-scope"
    assert refused.json()["scope"] == scope
    anonymous = client.request(method, path)
    assert anonymous.status_code == 401
    assert anonymous.json()["type"] == "/problems/not-authenticated"
    forged = client.request(method, path, headers=helpers.bearer("pt_forged"))
    assert (forged.status_code, forged.json()["type"]) == (401, "/problems/invalid-token")


def test_a_user_token_is_not_a_partner_token_and_a_partner_token_opens_no_user_endpoint(
    client, session
):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    assert client.get("/api/v1/me", headers=helpers.bearer(access)).status_code == 401
    assert client.get("/api/v1/initiatives", headers=helpers.bearer(access)).status_code == 401


def test_rotation_keeps_the_old_secret_during_the_overlap_then_refuses_it_and_its_tokens(
    client, session
):
    partner, old = helpers.partner(session)
    old_token = helpers.token(client, partner, old)
    new = service.rotate_secret(session, partner)
    session.commit()
    assert new != old
    # Both work during the overlap: the partner switches without downtime.
    helpers.token(client, partner, old)
    new_token = helpers.token(client, partner, new)
    assert client.get("/api/v1/changes", headers=helpers.bearer(old_token)).status_code == 200

    partner.previous_secret_expires_at = utcnow() - timedelta(seconds=1)
    session.add(partner)
    session.commit()
    refused = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, old),
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert client.get("/api/v1/changes", headers=helpers.bearer(old_token)).status_code == 401
    assert client.get("/api/v1/changes", headers=helpers.bearer(new_token)).status_code == 200


def test_a_revoked_partner_gets_no_token_and_its_tokens_stop_at_once(client, session):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    service.revoke(session, helpers.admin(session), partner)
    session.commit()
    assert client.get("/api/v1/changes", headers=helpers.bearer(access)).status_code == 401
    refused = client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, secret),
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


def test_an_expired_token_is_refused(client, session):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    row = session.exec(select(PartnerToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert client.get("/api/v1/changes", headers=helpers.bearer(access)).status_code == 401


def test_every_call_is_logged_without_secrets(client, session):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    client.get("/api/v1/changes", headers=helpers.bearer(access))
    client.get("/api/v1/partners/initiatives/none", headers=helpers.bearer(access))
    client.post(
        "/api/v1/partners/token",
        data={"grant_type": "client_credentials"},
        auth=(partner.client_id, "ps_wrong"),
    )
    client.get("/api/v1/changes")
    session.expire_all()
    logged = session.exec(select(PartnerCall).order_by(PartnerCall.id)).all()
    assert [(c.partner_id, c.method, c.endpoint, c.status_code, c.outcome) for c in logged] == [
        (partner.id, "POST", "/api/v1/partners/token", 200, "ok"),
        (partner.id, "GET", "/api/v1/changes", 200, "ok"),
        (partner.id, "GET", "/api/v1/partners/initiatives/{external_id}", 404, "not-found"),
        (partner.id, "POST", "/api/v1/partners/token", 401, "oauth-invalid_client"),
        (None, "GET", "/api/v1/changes", 401, "not-authenticated"),
    ]
    text = repr([c.model_dump() for c in logged])
    assert secret not in text and access not in text and "ps_wrong" not in text
