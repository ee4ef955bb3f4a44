"""CSRF: every unsafe request made with the session cookie carries the session's token."""

from __future__ import annotations

from tests import factories
from tests.conftest import api_token, csrf_of, web_login


def test_a_form_without_the_token_is_refused_and_with_it_accepted(client, session):
    user = factories.user(session)
    web_login(client, user.email)
    refused = client.post("/account/tokens", data={"name": "máy"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này." in refused.text
    token = csrf_of(client.get("/account/profile").text)
    wrong = client.post("/account/tokens", data={"name": "máy", "csrf_token": token + "x"})
    assert wrong.status_code == 403
    accepted = client.post("/account/tokens", data={"name": "máy", "csrf_token": token})
    assert accepted.status_code == 200


def test_scripts_send_the_token_in_a_header(client, session):
    user = factories.user(session)
    web_login(client, user.email)
    token = csrf_of(client.get("/account/profile").text)
    answer = client.post("/account/tokens", data={"name": "máy"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200


def test_the_api_with_the_cookie_needs_the_header_and_with_a_bearer_token_does_not(client, session):
    user = factories.user(session)
    bearer = api_token(client, user.email)
    web_login(client, user.email)
    refused = client.post("/api/v1/me/tokens", json={"name": "máy"})
    assert (refused.status_code, refused.json()["type"]) == (403, "/problems/csrf-failed")
    token = csrf_of(client.get("/account/profile").text)
    with_header = client.post(
        "/api/v1/me/tokens", json={"name": "máy"}, headers={"X-CSRF-Token": token}
    )
    assert with_header.status_code == 201
    client.cookies.clear()
    assert (
        client.post("/api/v1/me/tokens", json={"name": "khác"}, headers=bearer).status_code == 201
    )


def test_safe_methods_need_no_token(client):
    assert client.get("/account/login").status_code == 200
