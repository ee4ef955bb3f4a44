"""The administrator's partner pages: register (credentials once), rotate, revoke, the call log."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import Role
from app.partners.models import PartnerClient
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.partners import helpers


@pytest.fixture
def partner_system(app):
    """Another system's client: no browser session, so no cookie."""
    with TestClient(app) as other:
        yield other


def register(client, **changes):
    page = client.get("/admin/partners/new")
    data = {
        "name": "Hệ thống LGSP tỉnh Cần Thơ",
        "agency_code": "000.00.00.H13",
        "contact_name": "Lê Văn Cường",
        "contact_email": "cuong@cantho.gov.vn",
        "scopes": ["initiatives:forward", "changes:read"],
        "callback_url": "",
        "csrf_token": csrf_of(page.text),
        **changes,
    }
    return client.post("/admin/partners", data=data)


def test_an_admin_registers_a_partner_and_sees_the_secret_once(client, session, partner_system):
    admin = helpers.admin(session)
    web_login(client, admin.email)
    created = register(client)
    assert created.status_code == 201
    secret = re.search(r'id="client-secret" type="text" readonly value="(ps_[^"]+)"', created.text)
    assert secret is not None
    partner = session.exec(select(PartnerClient)).one()
    assert (partner.name, partner.agency_code, partner.scopes) == (
        "Hệ thống LGSP tỉnh Cần Thơ",
        "000.00.00.H13",
        ["initiatives:forward", "changes:read"],
    )
    shown = client.get(f"/admin/partners/{partner.id}")
    assert partner.client_id in shown.text and secret.group(1) not in shown.text
    assert helpers.token(partner_system, partner, secret.group(1))


def test_a_refused_registration_shows_the_errors_and_saves_nothing(client, session):
    admin = helpers.admin(session)
    helpers.partner(session, code="000.00.00.H13")
    web_login(client, admin.email)
    refused = register(client, scopes=[])
    assert refused.status_code == 400
    assert "Chọn ít nhất một phạm vi." in refused.text
    duplicate = register(client)
    assert duplicate.status_code == 400
    assert "Đã có hệ thống đối tác đăng ký với mã định danh cơ quan này." in duplicate.text
    assert len(session.exec(select(PartnerClient)).all()) == 1


def test_only_admins_reach_the_partner_pages(client, session):
    coordinator = factories.user(session, Role.coordinator)
    web_login(client, coordinator.email)
    assert client.get("/admin/partners").status_code == 403
    assert client.get("/admin/partners/calls").status_code == 403


def test_rotate_then_revoke_with_confirmation(client, session, partner_system):
    partner, old = helpers.partner(session)
    web_login(client, helpers.admin(session).email)
    page = client.get(f"/admin/partners/{partner.id}")
    rotated = client.post(
        f"/admin/partners/{partner.id}/secret", data={"csrf_token": csrf_of(page.text)}
    )
    new = re.search(r'id="client-secret" type="text" readonly value="(ps_[^"]+)"', rotated.text)
    assert new is not None and new.group(1) != old
    assert helpers.token(partner_system, partner, old)
    assert helpers.token(partner_system, partner, new.group(1))
    unconfirmed = client.post(
        f"/admin/partners/{partner.id}/revoke", data={"csrf_token": csrf_of(page.text)}
    )
    assert unconfirmed.status_code == 400
    session.refresh(partner)
    assert partner.revoked_at is None
    confirmed = client.post(
        f"/admin/partners/{partner.id}/revoke",
        data={"csrf_token": csrf_of(page.text), "confirm": "yes"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    session.refresh(partner)
    assert partner.revoked_at is not None


def test_the_call_log_page_and_its_csv_export(client, session):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    client.get("/api/v1/partners/initiatives/X-9", headers=helpers.bearer(access))
    web_login(client, helpers.admin(session).email)
    page = client.get("/admin/partners/calls")
    assert "/api/v1/partners/initiatives/{external_id}" in page.text
    exported = client.get(f"/admin/partners/calls?format=csv&partner={partner.id}")
    assert exported.status_code == 200
    lines = exported.text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:3] == ["Thời điểm (UTC)", "Đối tác", "Mã định danh cơ quan"]
    assert [line.split(",")[3:8] for line in lines[1:]] == [
        ["GET", "/api/v1/partners/initiatives/{external_id}", "", "404", "not-found"],
        ["POST", "/api/v1/partners/token", "", "200", "ok"],
    ]
    assert secret not in exported.text and access not in exported.text
