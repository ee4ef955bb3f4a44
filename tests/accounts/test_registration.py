"""Registration, email verification and password reset, through the web pages and a real SMTP server."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import select

from app.accounts import links
from app.accounts.models import Organisation, OrganisationType, Role, User
from tests import factories
from tests.conftest import PASSWORD, csrf_of, web_login
from tests.fixtures.smtp import first_link

NEW_PASSWORD = "Một-mật-khẩu-mới-2"


def register(client, **fields):
    page = client.get("/account/register")
    data = {
        "full_name": "Trần Thị Bình",
        "email": "binh@example.vn",
        "password": PASSWORD,
        "phone": "0912 345 678",
        "province": "Đà Nẵng",
        "organisation_mode": "none",
        "language": "vi",
        "csrf_token": csrf_of(page.text),
        **fields,
    }
    return client.post("/account/register", data=data, follow_redirects=False)


def login(client, email, password):
    page = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_registration_mails_a_link_that_verifies_and_then_sign_in_works(
    client, session, worker, mail_to_smtp
):
    response = register(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/verify/resend?email=binh%40example.vn"

    worker.drain()
    [mail] = mail_to_smtp.wait_for(1)
    assert mail.rcpt_tos == ["binh@example.vn"]
    assert mail.subject == "Xác nhận địa chỉ email"
    link = first_link(mail)
    assert link.startswith("http://testserver/account/verify?token=")

    assert login(client, "binh@example.vn", PASSWORD).status_code == 400  # not verified yet

    followed = client.get(path_of(link), follow_redirects=False)
    assert followed.status_code == 303
    assert followed.headers["location"] == "/account/login"

    signed_in = login(client, "binh@example.vn", PASSWORD)
    assert signed_in.status_code == 303
    assert "Trần Thị Bình" in client.get("/").text
    user = session.exec(select(User).where(User.email == "binh@example.vn")).one()
    assert user.roles == {Role.submitter}
    assert (user.phone, user.province, user.language, user.organisation_id) == (
        "0912 345 678",
        "Đà Nẵng",
        "vi",
        None,
    )


def test_sign_in_before_verification_is_refused(client, session):
    assert register(client).status_code == 303
    response = login(client, "binh@example.vn", PASSWORD)
    assert response.status_code == 400
    assert "Vui lòng xác nhận địa chỉ email trước" in response.text
    assert "Trần Thị Bình" not in client.get("/").text


def test_registration_with_a_new_organisation_creates_it_once_and_reuses_it(client, session):
    assert (
        register(
            client, organisation_mode="new", org_name="Viện Vật lý", org_type="research_institute"
        ).status_code
        == 303
    )
    client.cookies.clear()
    assert (
        register(
            client,
            email="chi@example.vn",
            organisation_mode="new",
            org_name="viện vật lý",
            org_type="research_institute",
        ).status_code
        == 303
    )
    [org] = session.exec(select(Organisation)).all()
    assert (org.name, org.type, org.province) == (
        "Viện Vật lý",
        OrganisationType.research_institute,
        "Đà Nẵng",
    )
    members = session.exec(
        select(User.email).where(User.organisation_id == org.id).order_by(User.email)
    ).all()
    assert members == ["binh@example.vn", "chi@example.vn"]


def test_registration_with_an_existing_organisation(client, session):
    org = factories.organisation(session, "Trường Đại học Bách khoa Hà Nội")
    assert (
        register(client, organisation_mode="existing", organisation_id=str(org.id)).status_code
        == 303
    )
    user = session.exec(select(User).where(User.email == "binh@example.vn")).one()
    assert user.organisation_id == org.id


def test_registration_errors_keep_what_was_typed(client, session):
    response = register(client, password="ngắn", organisation_mode="existing", province="Atlantis")
    assert response.status_code == 400
    assert 'value="Trần Thị Bình"' in response.text
    assert 'value="0912 345 678"' in response.text
    assert "Hãy nhập ít nhất 10 ký tự." in response.text
    assert "Hãy chọn tỉnh, thành phố trong danh sách." in response.text
    assert "Hãy chọn tổ chức của bạn trong danh sách." in response.text
    assert session.exec(select(User)).all() == []


def test_password_equal_to_email_is_refused(client, session):
    response = register(client, email="binh.tran@example.vn", password="Binh.Tran@example.vn")
    assert response.status_code == 400
    assert "Mật khẩu không được trùng với địa chỉ email." in response.text


def test_registering_a_taken_email_is_refused(client, session):
    factories.user(session, email="binh@example.vn")
    response = register(client)
    assert response.status_code == 400
    assert "Email này đã được đăng ký." in response.text


def test_a_refused_registration_leaves_no_new_organisation_behind(client, session):
    factories.user(session, email="binh@example.vn")
    response = register(
        client, organisation_mode="new", org_name="Viện Vật lý", org_type="research_institute"
    )
    assert response.status_code == 400
    assert 'value="Viện Vật lý"' in response.text
    assert session.exec(select(Organisation)).all() == []


def test_resend_verification_sends_a_new_working_link(client, session, worker, mail_to_smtp):
    register(client)
    page = client.get("/account/verify/resend")
    response = client.post(
        "/account/verify/resend",
        data={"email": "binh@example.vn", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    worker.drain()
    mails = mail_to_smtp.wait_for(2)
    assert [m.rcpt_tos for m in mails] == [["binh@example.vn"], ["binh@example.vn"]]
    assert client.get(path_of(first_link(mails[1])), follow_redirects=False).status_code == 303
    assert login(client, "binh@example.vn", PASSWORD).status_code == 303


def test_a_tampered_verification_link_is_refused(client, session):
    register(client)
    response = client.get("/account/verify?token=not-a-token")
    assert response.status_code == 409
    assert "Đường dẫn không hợp lệ." in response.text


# -- password reset -----------------------------------------------------------
def forgot(client, email):
    page = client.get("/account/password/forgot")
    return client.post(
        "/account/password/forgot",
        data={"email": email, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_password_reset_by_mail_changes_the_password_once(client, session, worker, mail_to_smtp):
    factories.user(session, email="an@example.vn")
    assert forgot(client, "an@example.vn").status_code == 303
    worker.drain()
    [mail] = mail_to_smtp.wait_for(1)
    assert mail.subject == "Đặt mật khẩu mới"
    link = path_of(first_link(mail))
    assert link.startswith("/account/password/reset?token=")

    form = client.get(link)
    assert form.status_code == 200
    token = link.split("token=", 1)[1]
    done = client.post(
        "/account/password/reset",
        data={"token": token, "password": NEW_PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303

    assert login(client, "an@example.vn", PASSWORD).status_code == 400
    assert login(client, "an@example.vn", NEW_PASSWORD).status_code == 303

    reused = client.get(link)
    assert reused.status_code == 409
    assert "Đường dẫn này đã được sử dụng hoặc không còn hiệu lực." in reused.text
    again = client.post(
        "/account/password/reset",
        data={
            "token": token,
            "password": "Lần-thứ-hai-3333",
            "csrf_token": csrf_of(client.get("/account/login").text),
        },
    )
    assert again.status_code == 409
    assert login(client, "an@example.vn", NEW_PASSWORD).status_code == 303


def test_forgot_password_answers_the_same_for_unknown_addresses(
    client, session, worker, mail_to_smtp
):
    factories.user(session, email="an@example.vn")
    known, unknown = forgot(client, "an@example.vn"), forgot(client, "nobody@example.vn")
    assert (known.status_code, known.headers["location"]) == (
        unknown.status_code,
        unknown.headers["location"],
    )
    worker.drain()
    assert [m.rcpt_tos for m in mail_to_smtp.wait_for(1)] == [["an@example.vn"]]


def test_a_short_new_password_is_refused_on_the_reset_form(client, session):
    user = factories.user(session, email="an@example.vn")
    token = links.make_link_token(user, "reset")
    page = client.get(f"/account/password/reset?token={token}")
    response = client.post(
        "/account/password/reset",
        data={"token": token, "password": "short", "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 400
    assert "Hãy nhập ít nhất 10 ký tự." in response.text
    web_login(client, "an@example.vn")
