"""Account pages: throttled sign-in, CSRF, profile, password change, personal tokens."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts import credentials
from app.accounts.models import ApiToken, LoginThrottle, OrganisationType, Role
from app.db import utcnow
from tests import factories
from tests.conftest import PASSWORD, csrf_of, web_login

NEW_PASSWORD = "Một-mật-khẩu-mới-2"


def login(client, email, password):
    page = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_after_too_many_failures_even_the_right_password_is_refused_until_the_lock_ends(
    client, session, settings
):
    factories.user(session, email="an@example.vn")
    for _ in range(settings.login_max_failures):
        assert login(client, "an@example.vn", "wrong password").status_code == 400
    locked = login(client, "an@example.vn", PASSWORD)
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.text

    api = client.post(
        "/api/v1/auth/token", data={"username": "an@example.vn", "password": PASSWORD}
    )
    assert (api.status_code, api.headers["content-type"]) == (429, "application/problem+json")

    row = session.get(LoginThrottle, "email:an@example.vn")
    row.locked_until = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert login(client, "an@example.vn", PASSWORD).status_code == 303
    session.expire_all()
    assert session.get(LoginThrottle, "email:an@example.vn") is None


def test_failures_on_one_account_do_not_lock_another_from_the_same_address(
    client, session, settings
):
    factories.user(session, email="an@example.vn")
    factories.user(session, email="binh@example.vn")
    for _ in range(settings.login_max_failures):
        login(client, "an@example.vn", "wrong password")
    assert login(client, "binh@example.vn", PASSWORD).status_code == 303


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(client, session):
    user = factories.user(session, email="an@example.vn", full_name="Nguyễn Văn An")
    web_login(client, "an@example.vn")
    response = client.post("/account/profile", data={"full_name": "Kẻ Giả Mạo", "language": "vi"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    session.refresh(user)
    assert user.full_name == "Nguyễn Văn An"


def test_a_form_post_with_a_wrong_csrf_token_is_refused(client, session):
    factories.user(session, email="an@example.vn")
    response = client.post(
        "/account/login",
        data={"email": "an@example.vn", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_the_profile_saves_details_and_the_language(client, session):
    user = factories.user(session, email="an@example.vn")
    org = factories.organisation(
        session,
        "Viện Hàn lâm Khoa học và Công nghệ Việt Nam",
        type=OrganisationType.research_institute,
    )
    web_login(client, "an@example.vn")
    page = client.get("/account/profile")
    response = client.post(
        "/account/profile",
        data={
            "full_name": "Nguyễn Văn Ân",
            "phone": "+84 912 345 678",
            "province": "Cần Thơ",
            "organisation_mode": "existing",
            "organisation_id": str(org.id),
            "expertise_keywords": "năng lượng mặt trời, lưu trữ điện, Năng lượng mặt trời",
            "expertise_fields": "energy, env",
            "language": "en",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.refresh(user)
    assert (user.full_name, user.phone, user.province, user.organisation_id, user.language) == (
        "Nguyễn Văn Ân",
        "+84 912 345 678",
        "Cần Thơ",
        org.id,
        "en",
    )
    assert user.expertise_keywords == ["năng lượng mặt trời", "lưu trữ điện"]
    assert user.expertise_fields == ["energy", "env"]
    assert '<html lang="en">' in client.get("/account/profile").text


def test_profile_errors_are_shown_on_the_same_form(client, session):
    user = factories.user(session, email="an@example.vn", full_name="Nguyễn Văn An")
    web_login(client, "an@example.vn")
    page = client.get("/account/profile")
    response = client.post(
        "/account/profile",
        data={
            "full_name": "Nguyễn Văn Ân",
            "phone": "gọi tôi",
            "language": "vi",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 400
    assert 'value="gọi tôi"' in response.text
    assert "Nhập số điện thoại gồm các chữ số" in response.text
    session.refresh(user)
    assert user.full_name == "Nguyễn Văn An"


def test_changing_the_password_ends_other_sessions_but_not_this_one(app, client, session):
    factories.user(session, email="an@example.vn")
    web_login(client, "an@example.vn")
    with TestClient(app) as other:
        web_login(other, "an@example.vn")
        assert other.get("/account/profile", follow_redirects=False).status_code == 200
        page = client.get("/account/profile")
        response = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert client.get("/account/profile", follow_redirects=False).status_code == 200
        ended = other.get("/account/profile", follow_redirects=False)
        assert (ended.status_code, ended.headers["location"]) == (
            303,
            "/account/login?next=/account/profile",
        )
    assert login(client, "an@example.vn", NEW_PASSWORD).status_code == 303


def test_a_wrong_current_password_changes_nothing(client, session):
    user = factories.user(session, email="an@example.vn")
    web_login(client, "an@example.vn")
    page = client.get("/account/profile")
    response = client.post(
        "/account/password",
        data={
            "current_password": "không đúng",
            "new_password": NEW_PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in response.text
    session.refresh(user)
    assert user.auth_version == 1


def test_a_personal_token_is_shown_once_listed_by_prefix_and_revocable(client, session):
    factories.user(session, email="an@example.vn")
    web_login(client, "an@example.vn")
    page = client.get("/account/profile")
    created = client.post(
        "/account/tokens", data={"name": "Báo cáo tuần", "csrf_token": csrf_of(page.text)}
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = session.exec(select(ApiToken)).one()
    plain = created.text.split('id="plain-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert plain.startswith("sk_pat_") and plain[:12] == token.prefix
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).json()["email"]
        == "an@example.vn"
    )

    profile = client.get("/account/profile")
    assert f"{token.prefix}…" in profile.text
    assert plain not in profile.text
    revoked = client.post(
        f"/account/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_of(profile.text)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_nobody_revokes_another_users_token(client, session):
    owner = factories.user(session, email="owner@example.vn")

    token, _plain = credentials.create_personal_token(session, owner, "mine")
    session.commit()
    factories.user(session, email="an@example.vn")
    web_login(client, "an@example.vn")
    page = client.get("/account/profile")
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 404
    session.refresh(token)
    assert token.revoked_at is None


def test_the_profile_needs_a_sign_in(client):
    response = client.get("/account/profile", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/account/login?next=/account/profile",
    )


def test_a_sign_in_asked_for_comes_back_to_the_page_with_its_query(client, session):
    """ "Follow problems like these" from a filtered listing: the filters survive the sign-in."""
    factories.user(session, email="an@example.vn")
    wanted = (
        "/subscriptions/new?subject=problems&funding_mode=enterprise_led&q=s%E1%BA%A7u+ri%C3%AAng"
    )
    asked = client.get(wanted, follow_redirects=False)
    assert (asked.status_code, asked.headers["location"]) == (
        303,
        "/account/login?next=/subscriptions/new%3Fsubject%3Dproblems%26funding_mode%3D"
        "enterprise_led%26q%3Ds%25E1%25BA%25A7u%2Bri%25C3%25AAng",
    )
    page = client.get(asked.headers["location"])
    response = client.post(
        asked.headers["location"],
        data={"email": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, wanted)


def test_sign_in_redirects_only_to_this_site(client, session):
    factories.user(session, email="an@example.vn")
    page = client.get("/account/login")
    response = client.post(
        "/account/login?next=//evil.example/x",
        data={"email": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


# -- administration pages ------------------------------------------------------
def test_the_admin_pages_need_the_admin_role(client, session):
    factories.user(session, Role.coordinator, email="coord@example.vn")
    web_login(client, "coord@example.vn")
    assert client.get("/admin/users").status_code == 403
    assert "Quản trị" not in client.get("/").text.split("</nav>")[0]


def test_an_admin_grants_and_removes_a_role_and_sees_the_history(client, session):
    factories.user(session, Role.admin, email="admin@example.vn", full_name="Quản Trị Viên")
    person = factories.user(session, email="an@example.vn", full_name="Nguyễn Văn An")
    web_login(client, "admin@example.vn")
    listing = client.get("/admin/users?q=nguyễn")
    assert listing.status_code == 200
    assert f'href="/admin/users/{person.id}"' in listing.text
    assert 'href="/admin/users"' in client.get("/").text  # the menu item

    page = client.get(f"/admin/users/{person.id}")
    granted = client.post(
        f"/admin/users/{person.id}/roles",
        data={"role": "reviewer", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert granted.status_code == 303
    page = client.get(f"/admin/users/{person.id}")
    removed = client.post(
        f"/admin/users/{person.id}/roles/reviewer/revoke",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    session.refresh(person)
    assert person.roles == {Role.submitter}
    history = client.get(f"/admin/users/{person.id}").text.split("Lịch sử vai trò", 1)[1]
    assert history.count("Quản Trị Viên") == 2  # granted by and removed by
    assert history.count("Chuyên gia đánh giá") == 1
