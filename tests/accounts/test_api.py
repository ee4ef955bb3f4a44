"""The account API: password grant, personal tokens, profile, organisations, administration."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.accounts.models import ApiToken, Organisation, Role
from app.db import utcnow
from tests import factories
from tests.conftest import PASSWORD, api_token


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{code}"


def test_the_password_grant_gives_a_token_that_works_on_me(client, session):
    user = factories.user(session, Role.reviewer, email="an@example.vn")
    response = client.post(
        "/api/v1/auth/token", data={"username": "an@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"], me.json()["roles"]) == (
        user.id,
        "an@example.vn",
        ["reviewer"],
    )


def test_the_password_grant_refuses_a_wrong_password_and_an_unverified_email(client, session):
    factories.user(session, email="an@example.vn")
    factories.user(session, email="binh@example.vn", verified=False)
    wrong = client.post(
        "/api/v1/auth/token", data={"username": "an@example.vn", "password": "sai mật khẩu"}
    )
    unverified = client.post(
        "/api/v1/auth/token", data={"username": "binh@example.vn", "password": PASSWORD}
    )
    assert_problem(wrong, 401, "invalid-credentials")
    assert_problem(unverified, 401, "invalid-credentials")
    assert wrong.json()["detail"] == "Sai email hoặc mật khẩu."


def test_an_expired_access_token_is_refused(client, session):
    factories.user(session, email="an@example.vn")
    headers = api_token(client, "an@example.vn")
    token = session.exec(select(ApiToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401, "invalid-token")


def test_a_personal_token_works_until_revoked(client, session):
    factories.user(session, email="an@example.vn")
    headers = api_token(client, "an@example.vn")
    created = client.post("/api/v1/me/tokens", json={"name": "Báo cáo tuần"}, headers=headers)
    assert created.status_code == 201
    pat = created.json()
    assert pat["token"].startswith("sk_pat_") and pat["prefix"] == pat["token"][:12]
    pat_headers = {"Authorization": f"Bearer {pat['token']}"}
    assert client.get("/api/v1/me", headers=pat_headers).json()["email"] == "an@example.vn"

    listed = client.get("/api/v1/me/tokens", headers=pat_headers).json()
    assert [(t["id"], t["name"], "token" in t) for t in listed] == [
        (pat["id"], "Báo cáo tuần", False)
    ]
    assert listed[0]["last_used_at"] is not None

    assert client.delete(f"/api/v1/me/tokens/{pat['id']}", headers=headers).status_code == 204
    refused = client.get("/api/v1/me", headers=pat_headers)
    assert_problem(refused, 401, "invalid-token")
    assert refused.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(client, session):
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Bearer sk_pat_made-up"}),
        401,
        "invalid-token",
    )


def test_revoking_someone_elses_token_is_not_found(client, session):
    factories.user(session, email="an@example.vn")
    factories.user(session, email="binh@example.vn")
    theirs = client.post(
        "/api/v1/me/tokens", json={"name": "x"}, headers=api_token(client, "binh@example.vn")
    ).json()
    response = client.delete(
        f"/api/v1/me/tokens/{theirs['id']}", headers=api_token(client, "an@example.vn")
    )
    assert_problem(response, 404, "not-found")


def test_patch_me_changes_only_the_fields_sent(client, session):
    factories.user(session, email="an@example.vn", phone="0900 000 000")
    org = factories.organisation(session, "Sở Khoa học và Công nghệ Hà Nội")
    headers = api_token(client, "an@example.vn")
    response = client.patch(
        "/api/v1/me",
        headers=headers,
        json={
            "province": "Hà Nội",
            "organisation_id": org.id,
            "expertise_keywords": ["AI", "y tế số", "ai"],
            "expertise_fields": ["health"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["phone"], body["province"], body["organisation_id"]) == (
        "0900 000 000",
        "Hà Nội",
        org.id,
    )
    assert (body["expertise_keywords"], body["expertise_fields"]) == (["AI", "y tế số"], ["health"])


def test_patch_me_refuses_bad_values_with_field_errors(client, session):
    factories.user(session, email="an@example.vn")
    headers = api_token(client, "an@example.vn")
    bad = client.patch("/api/v1/me", headers=headers, json={"province": "Paris", "language": "fr"})
    assert_problem(bad, 422, "validation-failed")
    assert sorted(bad.json()["errors"]) == ["language", "province"]
    nulls = client.patch("/api/v1/me", headers=headers, json={"full_name": None, "language": None})
    assert_problem(nulls, 422, "validation-failed")
    assert sorted(nulls.json()["errors"]) == ["full_name", "language"]
    cleared = client.patch(
        "/api/v1/me", headers=headers, json={"expertise_keywords": None, "phone": None}
    )
    assert (cleared.status_code, cleared.json()["expertise_keywords"], cleared.json()["phone"]) == (
        200,
        [],
        None,
    )
    unknown_org = client.patch("/api/v1/me", headers=headers, json={"organisation_id": 4242})
    assert_problem(unknown_org, 422, "validation-failed")
    assert list(unknown_org.json()["errors"]) == ["organisation_id"]


def test_organisations_are_searched_publicly_and_created_once(client, session):
    factories.user(session, email="an@example.vn")
    headers = api_token(client, "an@example.vn")
    body = {
        "name": "Quỹ Đổi mới công nghệ quốc gia",
        "type": "investment_fund",
        "province": "Hà Nội",
    }
    first = client.post("/api/v1/organisations", json=body, headers=headers)
    again = client.post(
        "/api/v1/organisations",
        json={**body, "name": "quỹ đổi mới công nghệ quốc gia"},
        headers=headers,
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(session.exec(select(Organisation)).all()) == 1
    found = client.get("/api/v1/organisations", params={"q": "đổi mới"})
    assert [o["name"] for o in found.json()] == ["Quỹ Đổi mới công nghệ quốc gia"]
    assert_problem(client.post("/api/v1/organisations", json=body), 401, "not-authenticated")


# -- administration -------------------------------------------------------------
def test_admin_endpoints_are_refused_without_the_admin_role(client, session):
    factories.user(session, Role.coordinator, email="coord@example.vn")
    person = factories.user(session, email="an@example.vn")
    headers = api_token(client, "coord@example.vn")
    assert_problem(client.get("/api/v1/admin/users", headers=headers), 403, "forbidden")
    refused = client.post(
        f"/api/v1/admin/users/{person.id}/roles", json={"role": "admin"}, headers=headers
    )
    assert_problem(refused, 403, "forbidden")
    session.refresh(person)
    assert person.roles == {Role.submitter}
    assert_problem(client.get("/api/v1/admin/users"), 401, "not-authenticated")


def test_an_admin_grants_and_revokes_roles_through_the_api(client, session):
    admin = factories.user(session, Role.admin, email="admin@example.vn", full_name="Quản Trị Viên")
    person = factories.user(session, email="an@example.vn")
    headers = api_token(client, "admin@example.vn")

    listed = client.get("/api/v1/admin/users", params={"q": "an@"}, headers=headers)
    assert [u["email"] for u in listed.json()] == ["an@example.vn"]
    assert listed.headers["x-total-count"] == "1"

    granted = client.post(
        f"/api/v1/admin/users/{person.id}/roles", json={"role": "reviewer"}, headers=headers
    )
    assert granted.status_code == 201
    assert (
        granted.json()["role"],
        granted.json()["granted_by_id"],
        granted.json()["granted_by_name"],
    ) == ("reviewer", admin.id, "Quản Trị Viên")
    assert (
        client.delete(
            f"/api/v1/admin/users/{person.id}/roles/reviewer", headers=headers
        ).status_code
        == 204
    )
    assert_problem(
        client.delete(f"/api/v1/admin/users/{person.id}/roles/reviewer", headers=headers),
        404,
        "role-not-held",
    )

    history = client.get(f"/api/v1/admin/users/{person.id}/role-grants", headers=headers).json()
    assert [
        (g["role"], g["granted_by_id"], g["revoked_by_id"], g["revoked_at"] is not None)
        for g in history
    ] == [("reviewer", admin.id, admin.id, True), ("submitter", None, None, False)]
    assert_problem(
        client.get("/api/v1/admin/users/9999/role-grants", headers=headers), 404, "not-found"
    )
    assert_problem(
        client.post(
            f"/api/v1/admin/users/{person.id}/roles", json={"role": "king"}, headers=headers
        ),
        422,
        "validation-failed",
    )


def test_the_api_is_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        (path, method): op for path, item in schema["paths"].items() for method, op in item.items()
    }
    for key in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me", "patch"),
        ("/api/v1/me/tokens", "get"),
        ("/api/v1/me/tokens", "post"),
        ("/api/v1/me/tokens/{token_id}", "delete"),
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/admin/users", "get"),
        ("/api/v1/admin/users/{user_id}/roles", "post"),
        ("/api/v1/admin/users/{user_id}/roles/{role}", "delete"),
        ("/api/v1/admin/users/{user_id}/role-grants", "get"),
    ]:
        assert operations[key]["summary"] and operations[key]["description"], key
