"""Contact request pages: the panel on the public page, the form, my requests, the requests received."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.exchange.models import ContactRequest
from tests.conftest import csrf_of, web_login
from tests.exchange.helpers import MESSAGE, ask, cast


def _requests(session) -> list[tuple]:
    session.rollback()  # a fresh read: the app committed in its own transaction
    session.expire_all()
    return [
        (r.requester_id, r.purpose, r.message, r.status)
        for r in session.exec(select(ContactRequest).order_by(ContactRequest.id))
    ]


def test_an_anonymous_reader_is_asked_to_sign_in(client, session):
    c = cast(session)
    page = client.get(f"/catalogue/{c.initiative.id}")
    assert page.status_code == 200
    assert (
        f'href="/account/login?next=/catalogue/{c.initiative.id}">Đăng nhập để gửi yêu cầu liên hệ</a>'
        in page.text
    )
    assert "tac.gia@vien.vn" not in page.text


def test_an_investor_sends_a_request_from_the_public_page(client, session):
    c = cast(session)
    web_login(client, c.investor.email)
    page = client.get(f"/catalogue/{c.initiative.id}")
    assert f'action="/exchange/initiatives/{c.initiative.id}/request"' in page.text
    assert '<option value="invest" >Invest in it</option>' in page.text
    response = client.post(
        f"/exchange/initiatives/{c.initiative.id}/request",
        follow_redirects=False,
        data={"purpose": "invest", "message": MESSAGE, "csrf_token": csrf_of(page.text)},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/exchange/requests")
    assert _requests(session) == [(c.investor.id, "invest", MESSAGE, "pending")]

    mine = client.get("/exchange/requests").text
    assert (
        "Your request was sent. The authors will be notified and can accept or refuse it." in mine
    )
    assert "Waiting for an answer" in mine and "tac.gia@vien.vn" not in mine
    panel = client.get(f"/catalogue/{c.initiative.id}").text
    assert "The authors have not answered yet." in panel
    assert f'action="/exchange/initiatives/{c.initiative.id}/request"' not in panel


def test_a_form_with_errors_comes_back_with_what_was_typed(client, session):
    c = cast(session)
    web_login(client, c.investor.email)
    token = csrf_of(client.get(f"/exchange/initiatives/{c.initiative.id}/request").text)
    response = client.post(
        f"/exchange/initiatives/{c.initiative.id}/request",
        data={"purpose": "partner", "message": "", "csrf_token": token},
    )
    assert response.status_code == 400
    assert '<option value="partner" selected>Partner on it</option>' in response.text
    assert '<p class="field-error" id="e-message">This field is required.</p>' in response.text
    assert _requests(session) == []


def _summary(html: str) -> list[tuple[str, str]]:
    """(field, message) of the error summary above the form."""
    block = html[html.index("data-error-summary") :]
    block = block[: block.index("</div>")]
    return re.findall(r'<li><a href="#f-([a-z_-]+)">([^<]*)</a></li>', block)


@pytest.mark.parametrize(
    ("lang", "heading", "choose", "required"),
    [
        (
            "vi",
            "Vui lòng sửa các mục sau:",
            "Hãy chọn một trong các lựa chọn.",
            "Trường này là bắt buộc.",
        ),
        (
            "en",
            "Please correct the following:",
            "Choose one of the options.",
            "This field is required.",
        ),
    ],
)
def test_an_empty_request_is_refused_by_the_portal_in_the_pages_language(
    client, session, lang, heading, choose, required
):
    """The form leaves checking to the server (`novalidate`, no browser bubble in its own
    language); the refusal lists the errors in the page's language and keeps what was typed."""
    c = cast(session)
    web_login(client, c.investor.email)
    page = client.get(f"/catalogue/{c.initiative.id}?lang={lang}").text
    action = f"/exchange/initiatives/{c.initiative.id}/request"
    assert f'<form method="post" action="{action}" class="exchange-form" novalidate>' in page

    empty = client.post(action, data={"purpose": "", "message": "", "csrf_token": csrf_of(page)})
    assert empty.status_code == 400
    assert f"<h2>{heading}</h2>" in empty.text
    assert _summary(empty.text) == [("purpose", choose), ("message", required)]
    assert f'<form method="post" action="{action}" class="exchange-form" novalidate>' in empty.text

    typed = client.post(
        action, data={"purpose": "", "message": MESSAGE, "csrf_token": csrf_of(page)}
    )
    assert typed.status_code == 400
    assert _summary(typed.text) == [("purpose", choose)]
    assert f">{MESSAGE}</textarea>" in typed.text
    no_message = client.post(
        action, data={"purpose": "partner", "message": " ", "csrf_token": csrf_of(page)}
    )
    assert _summary(no_message.text) == [("message", required)]
    assert '<option value="partner" selected>' in no_message.text
    assert _requests(session) == []


def test_the_authors_and_people_without_a_requester_role_get_no_form(client, session):
    c = cast(session)
    web_login(client, c.submitter.email)
    page = client.get(f"/catalogue/{c.initiative.id}").text
    assert "This is your initiative" in page and 'name="purpose"' not in page
    client.post("/account/logout", data={"csrf_token": csrf_of(page)})
    web_login(client, c.reviewer.email)
    page = client.get(f"/catalogue/{c.initiative.id}").text
    assert (
        "Doanh nghiệp, nhà đầu tư và tổ chức trung gian có thể gửi yêu cầu liên hệ với các tác giả."
        in page
    )
    assert 'name="purpose"' not in page


def test_the_requester_withdraws_from_my_requests(client, session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    web_login(client, c.investor.email)
    page = client.get("/exchange/requests").text
    response = client.post(
        f"/exchange/requests/{request.id}/withdraw",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/exchange/requests")
    assert _requests(session)[0][3] == "withdrawn"
    assert "Withdraw my request" not in client.get("/exchange/requests").text


def test_the_submitter_accepts_with_access_and_the_requester_then_sees_the_email(client, session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    web_login(client, c.submitter.email)
    incoming = client.get("/exchange/incoming").text
    assert "Phạm Minh Đức — Quỹ Đổi mới Sáng tạo Phương Nam" in incoming and MESSAGE in incoming
    assert f'id="f-grant_confidential-{request.id}"' in incoming
    assert "dautu@quy.vn" not in incoming
    detail = client.get(f"/initiatives/{c.initiative.id}").text
    assert (
        f'action="/exchange/requests/{request.id}/accept"' in detail
    )  # also on the initiative's own page
    response = client.post(
        f"/exchange/requests/{request.id}/accept",
        follow_redirects=False,
        data={
            "message": "Hẹn gặp tuần sau.",
            "grant_confidential": "1",
            "csrf_token": csrf_of(incoming),
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, "/exchange/incoming")
    assert "dautu@quy.vn" in client.get("/exchange/incoming").text

    client.post("/account/logout", data={"csrf_token": csrf_of(incoming)})
    web_login(client, c.investor.email)
    mine = client.get("/exchange/requests").text
    assert 'href="mailto:tac.gia@vien.vn">tac.gia@vien.vn</a>' in mine
    assert "Hẹn gặp tuần sau." in mine and "Access granted" in mine
    assert 'href="mailto:tac.gia@vien.vn"' in client.get(f"/catalogue/{c.initiative.id}").text


def test_a_coauthor_refuses_from_the_initiative_page_and_returns_there(client, session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    web_login(client, c.coauthor.email)
    detail = client.get(f"/initiatives/{c.initiative.id}").text
    assert (
        f'id="f-grant_confidential-{request.id}"' not in detail
    )  # opening access is the submitter's alone
    response = client.post(
        f"/exchange/requests/{request.id}/refuse",
        follow_redirects=False,
        data={
            "message": "Đã có đối tác.",
            "next": f"/initiatives/{c.initiative.id}#contact-requests",
            "csrf_token": csrf_of(detail),
        },
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/initiatives/{c.initiative.id}#contact-requests",
    )
    assert _requests(session)[0][3] == "refused"


def test_an_over_long_answer_comes_back_with_the_text(client, session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    web_login(client, c.submitter.email)
    token = csrf_of(client.get("/exchange/incoming").text)
    response = client.post(
        f"/exchange/requests/{request.id}/accept",
        data={"message": "x" * 2001, "grant_confidential": "1", "csrf_token": token},
    )
    assert response.status_code == 400
    assert f'<a href="#f-message-{request.id}">Enter at most 2000 characters.</a>' in response.text
    assert f">{'x' * 2001}</textarea>" in response.text
    assert (
        f'id="f-grant_confidential-{request.id}" name="grant_confidential" type="checkbox" value="1" checked'
        in response.text
    )
    assert _requests(session)[0][3] == "pending"


def test_someone_elses_request_is_not_found(client, session):
    c = cast(session)
    request = ask(session, c.investor, c.initiative)
    web_login(client, c.enterprise.email)
    token = csrf_of(client.get("/exchange/requests").text)
    assert (
        client.post(
            f"/exchange/requests/{request.id}/accept", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/exchange/requests/{request.id}/withdraw", data={"csrf_token": token}
        ).status_code
        == 404
    )
