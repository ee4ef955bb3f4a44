"""A signed-out session is dead; a new password ends every session and token, and says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.accounts import credentials, links
from app.accounts.models import Role
from tests import factories
from tests.conftest import PASSWORD, csrf_of, web_login

NEW_PASSWORD = "Mật-khẩu-mới-rất-dài-2"


def _copy(client: TestClient, app) -> TestClient:
    """Another browser holding a copy of the cookie."""
    other = TestClient(app, raise_server_exceptions=False)
    other.cookies.set("portal_session", client.cookies["portal_session"])
    return other


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, session):
    person = factories.user(session, Role.submitter)
    web_login(client, person.email)
    thief = _copy(client, app)
    assert thief.get("/account/profile", follow_redirects=False).status_code == 200
    page = client.get("/account/profile")
    out = client.post(
        "/account/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert out.status_code == 303
    assert thief.get("/account/profile", follow_redirects=False).status_code in (302, 303, 401)
    assert thief.get("/api/v1/me").status_code == 401


def test_an_administrator_signs_a_user_out_everywhere(app, client, session):
    person = factories.user(session, Role.submitter)
    admin = factories.user(session, Role.admin)
    web_login(client, person.email)
    victim_browser = _copy(client, app)
    client.cookies.clear()
    token = credentials.create_personal_token(session, person, "script")[1]
    session.commit()
    web_login(client, admin.email)
    page = client.get(f"/admin/users/{person.id}")
    assert "Đăng xuất khỏi mọi nơi" in page.text
    done = client.post(
        f"/admin/users/{person.id}/sign-out",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert victim_browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_password_reset_revokes_personal_tokens_and_the_mail_says_so(
    client, session, worker, mail_to_smtp
):
    person = factories.user(session, Role.submitter)
    _row, token = credentials.create_personal_token(session, person, "weekly report")
    session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    link = links.make_link_token(person, "reset")
    page = client.get(f"/account/password/reset?token={link}")
    done = client.post(
        "/account/password/reset",
        data={"token": link, "password": NEW_PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    worker.drain()
    [mail] = mail_to_smtp.wait_for(1)
    assert mail.rcpt_tos == [person.email]
    assert mail.subject == "Mật khẩu của bạn đã được thay đổi"
    assert "Các mã truy cập cá nhân (1) cũng đã bị thu hồi" in mail.text


def test_a_password_change_keeps_this_session_and_ends_the_others(app, client, session):
    person = factories.user(session, Role.submitter)
    web_login(client, person.email)
    other = _copy(client, app)
    _row, token = credentials.create_personal_token(session, person, "ci")
    session.commit()
    page = client.get("/account/profile")
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
