"""Sign-in through OpenID Connect against a real provider (oidc-provider-mock on 127.0.0.1)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import OidcIdentity, Role, User
from tests import factories


@pytest.fixture
def oidc(settings, oidc_provider):
    settings.oidc_issuer = oidc_provider.issuer
    settings.oidc_client_id = oidc_provider.client_id
    settings.oidc_client_secret = oidc_provider.client_secret
    return oidc_provider


def sign_in_at_provider(client, provider, sub, **claims):
    """Start at the app, log in at the provider, come back; the final response of the app."""
    start = client.get("/account/oidc/login?next=/account/profile", follow_redirects=False)
    assert start.status_code == 302
    callback = provider.authorize(start.headers["location"], sub, **claims)
    assert callback.startswith("http://testserver/account/oidc/callback?code=")
    return client.get(callback, follow_redirects=False)


def test_login_page_offers_the_provider_when_configured(client, oidc):
    page = client.get("/account/login")
    assert 'href="/account/oidc/login?next=/"' in page.text
    assert "Đăng nhập bằng VNeID" in page.text


def test_login_page_has_no_provider_button_without_settings(client):
    assert "/account/oidc/login" not in client.get("/account/login").text


def test_first_sign_in_creates_a_verified_submitter(client, session, oidc):
    response = sign_in_at_provider(
        client,
        oidc,
        "079123456789",
        email="lan@example.vn",
        email_verified=True,
        name="Phạm Thị Lan",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/profile"
    user = session.exec(select(User).where(User.email == "lan@example.vn")).one()
    assert (user.full_name, user.is_verified, user.password_hash, user.roles) == (
        "Phạm Thị Lan",
        True,
        None,
        {Role.submitter},
    )
    identity = session.exec(select(OidcIdentity)).one()
    assert (identity.user_id, identity.issuer, identity.subject) == (
        user.id,
        oidc.issuer,
        "079123456789",
    )
    assert "Phạm Thị Lan" in client.get("/account/profile").text


def test_a_verified_email_links_the_existing_account(client, session, oidc):
    existing = factories.user(session, email="an@example.vn", full_name="Nguyễn Văn An")
    response = sign_in_at_provider(
        client,
        oidc,
        "001099000001",
        email="AN@example.vn",
        email_verified=True,
        name="NGUYỄN VĂN AN",
    )
    assert response.status_code == 303
    identity = session.exec(select(OidcIdentity)).one()
    assert (identity.user_id, identity.subject) == (existing.id, "001099000001")
    assert session.exec(select(User.id)).all() == [existing.id]
    assert "Nguyễn Văn An" in client.get("/account/profile").text


def test_a_linked_identity_signs_in_its_account_even_after_an_email_change(client, session, oidc):
    existing = factories.user(session, email="an@example.vn")
    sign_in_at_provider(client, oidc, "001099000001", email="an@example.vn", email_verified=True)
    client.cookies.clear()
    response = sign_in_at_provider(
        client, oidc, "001099000001", email="an.nguyen@example.vn", email_verified=True
    )
    assert response.status_code == 303
    assert session.exec(select(User.id)).all() == [existing.id]
    assert "Nguyễn Văn An" in client.get("/account/profile").text


def test_an_unverified_email_claim_never_links_an_existing_account(client, session, oidc):
    existing = factories.user(session, email="an@example.vn", full_name="Nguyễn Văn An")
    response = sign_in_at_provider(
        client, oidc, "attacker", email="an@example.vn", email_verified=False, name="Kẻ mạo danh"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/login"
    assert session.exec(select(OidcIdentity)).all() == []
    assert session.exec(select(User.id)).all() == [existing.id]
    page = client.get("/account/login")
    assert "nhà cung cấp định danh chưa xác nhận địa chỉ email đó" in page.text
    assert "Nguyễn Văn An" not in page.text


def test_an_unverified_email_claim_creates_an_unconfirmed_account_and_mails_a_link(
    client, session, worker, mail_to_smtp, oidc
):
    response = sign_in_at_provider(
        client, oidc, "new-person", email="moi@example.vn", email_verified=False, name="Người Mới"
    )
    assert response.status_code == 303
    user = session.exec(select(User).where(User.email == "moi@example.vn")).one()
    assert user.is_verified is False
    worker.drain()
    assert [m.rcpt_tos for m in mail_to_smtp.wait_for(1)] == [["moi@example.vn"]]


def test_denied_authorization_returns_to_the_login_page(client, session, oidc):
    start = client.get("/account/oidc/login", follow_redirects=False)
    callback = oidc.deny(start.headers["location"])
    response = client.get(callback, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/account/login")
    assert "Đăng nhập bằng VNeID không thành công" in client.get("/account/login").text
    assert session.exec(select(User)).all() == []


def test_a_callback_without_the_session_state_is_refused(client, session, oidc):
    start = client.get("/account/oidc/login", follow_redirects=False)
    callback = oidc.authorize(
        start.headers["location"], "someone", email="x@example.vn", email_verified=True
    )
    client.cookies.clear()  # another browser: no state, no nonce
    response = client.get(callback, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/account/login")
    assert session.exec(select(User)).all() == []


def test_oidc_login_is_refused_when_disabled(client):
    response = client.get("/account/oidc/login", follow_redirects=False)
    assert response.status_code == 403
