"""One safe-redirect check for every `next`; the API's CSRF check skipped only for bearer tokens."""

from __future__ import annotations

import pytest

from app.web.redirects import safe_next
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.reviews import helpers as h

EVIL = ["https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example", "\\\\x"]


@pytest.mark.parametrize("target", EVIL)
def test_anything_but_a_local_path_is_refused(target):
    assert safe_next(target) == "/"
    assert safe_next(target, default="/here") == "/here"


def test_a_local_path_is_kept():
    assert safe_next("/initiatives/3?tab=history") == "/initiatives/3?tab=history"


def test_the_transition_form_does_not_follow_a_foreign_next(client, session):
    cast = h.initiatives.cast(session)
    item = h.initiatives.initiative(session, cast.submitter, status="submitted")
    web_login(client, cast.coordinator.email)
    page = client.get(f"/initiatives/{item.id}")
    moved = client.post(
        f"/initiatives/{item.id}/transition",
        data={"to": "screening", "next": "https://evil.example/", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/initiatives/{item.id}"


def test_the_language_switch_does_not_follow_a_foreign_next(client):
    moved = client.get("/language/en?next=/%5Cevil.example", follow_redirects=False)
    assert moved.headers["location"] == "/"


def test_a_basic_authorization_header_does_not_skip_the_api_csrf_check(client, session):
    person = factories.user(session, full_name="Nguyễn Văn An")
    web_login(client, person.email)
    forged = client.patch(
        "/api/v1/me",
        json={"full_name": "Kẻ Giả Mạo"},
        headers={"Authorization": "Basic Zm9vOmJhcg=="},
    )
    assert forged.status_code == 403 and forged.json()["type"] == "/problems/csrf-failed"
    empty = client.patch(
        "/api/v1/me", json={"full_name": "Kẻ Giả Mạo"}, headers={"Authorization": "Bearer "}
    )
    assert empty.status_code == 403
    session.refresh(person)
    assert person.full_name == "Nguyễn Văn An"
    token = csrf_of(client.get("/account/profile").text)
    ok = client.patch(
        "/api/v1/me", json={"full_name": "Nguyễn Văn Bình"}, headers={"X-CSRF-Token": token}
    )
    assert ok.status_code == 200


def test_a_huge_number_of_days_in_stage_is_bounded_not_a_server_error(client, session):
    cast = h.initiatives.cast(session)
    web_login(client, cast.coordinator.email)
    assert client.get("/coordinator/initiatives?min_days=2837581").status_code == 200
    token = csrf_of(client.get("/account/profile").text)
    api = client.get(
        "/api/v1/coordinator/initiatives?min_days_in_stage=2837581",
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 422
