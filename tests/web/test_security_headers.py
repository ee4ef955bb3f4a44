"""Security headers on pages, API answers and downloads; forwarded headers only from proxies."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app import config
from app.accounts.models import LoginThrottle
from app.main import create_app
from app.web.security_headers import CSP
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.reviews import helpers as h


def _has_security_headers(response, production: bool = False) -> None:
    assert response.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self';" in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert ("strict-transport-security" in response.headers) is production


def test_a_page_an_api_answer_and_a_download_carry_the_security_headers(client, session):
    _has_security_headers(client.get("/"))
    _has_security_headers(client.get("/api/v1/organisations"))
    _has_security_headers(client.get("/api/v1/me"))  # a 401 problem too
    boss = h.coordinator(session)
    round = h.open_round(session, boss, [h.screened(session)])
    web_login(client, boss.email)
    download = client.get(f"/reviews/rounds/{round.id}/ranking?format=csv")
    assert download.headers["content-disposition"].startswith("attachment")
    _has_security_headers(download)
    _has_security_headers(client.get("/static/css/portal.css"))


def test_production_adds_strict_transport_security(settings):
    production = settings.model_copy(update={"environment": "production", "secret_key": "x" * 40})
    with TestClient(create_app(production)) as client:
        _has_security_headers(client.get("/healthz"), production=True)
    config.configure(settings)


def _fail_login(client: TestClient, email: str, forwarded_for: str):
    page = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": "sai mật khẩu", "csrf_token": csrf_of(page.text)},
        headers={"X-Forwarded-For": forwarded_for},
    )


def _address_keys(session) -> list[str]:
    session.expire_all()
    return sorted(
        row.key for row in session.exec(select(LoginThrottle)) if row.key.startswith("ip:")
    )


def test_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(client, session, settings):
    assert settings.forwarded_allow_ips == ""
    for n in range(3):
        assert _fail_login(client, f"user{n}@example.vn", f"203.0.113.{n}").status_code == 400
    # Every attempt counts against the real peer address, whatever the header says.
    assert _address_keys(session) == ["ip:testclient"]
    row = session.get(LoginThrottle, "ip:testclient")
    assert row is not None and row.failures == 3


def test_a_configured_proxy_may_forward_the_client_address(settings, session):
    settings.forwarded_allow_ips = "testclient"
    factories.user(session, email="an@example.vn")
    with TestClient(create_app(settings)) as client:
        assert _fail_login(client, "an@example.vn", "203.0.113.7").status_code == 400
    assert _address_keys(session) == ["ip:203.0.113.7"]
