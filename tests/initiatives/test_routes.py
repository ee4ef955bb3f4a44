"""The web pages: the form keeps what was typed, drafts resume, submission shows the receipt."""

from __future__ import annotations

from sqlmodel import select

from app.i18n import use_language
from app.initiatives import workflow
from app.initiatives.models import Initiative
from app.initiatives.workflow import Status
from tests.conftest import csrf_of, web_login
from tests.initiatives import helpers
from tests.initiatives.helpers import stored_files
from tests.system.test_crawl_roles import TOKEN_IN_URL


def _form(session, **overrides) -> dict:
    field = helpers.top_field(session)
    data = {
        k: v for k, v in helpers.CONTENT.items() if k not in ("keywords", "resources_wanted", "trl")
    }
    data |= {
        "keywords": "sạt lở, IoT",
        "resources_wanted": ["partners", "investors"],
        "trl": "6",
        "field_id": str(field.id),
        "submitter_share": "100",
    }
    return data | overrides


def test_an_invalid_form_is_shown_again_with_everything_typed(client, session):
    cast = helpers.cast(session)
    web_login(client, cast.submitter.email)
    page = client.get("/initiatives/new")
    assert 'name="csrf_token" value=""' not in page.text
    data = _form(
        session,
        trl="12",
        summary="Tóm tắt <đã gõ> dài",
        **{"coauthors-0-full_name": "Lê Văn Cường", "coauthors-0-email": "không-phải-email"},
    )
    response = client.post(
        "/initiatives/new", data=data | {"csrf_token": csrf_of(page.text), "action": "save"}
    )
    assert response.status_code == 400
    assert "Tóm tắt &lt;đã gõ&gt; dài" in response.text and 'value="Lê Văn Cường"' in response.text
    assert 'id="e-trl"' in response.text and 'id="e-coauthors-0-email"' in response.text
    assert session.exec(select(Initiative)).all() == []


def test_a_draft_is_saved_and_resumed_then_submitted_to_the_receipt(client, session):
    cast = helpers.cast(session)
    web_login(client, cast.submitter.email)
    token = csrf_of(client.get("/initiatives/new").text)
    saved = client.post(
        "/initiatives/new",
        data={"title": "Chỉ tiêu đề", "csrf_token": token, "action": "save"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    edit_url = saved.headers["location"]
    resumed = client.get(edit_url)
    assert 'value="Chỉ tiêu đề"' in resumed.text
    incomplete = client.post(
        edit_url, data={"title": "Chỉ tiêu đề", "csrf_token": token, "action": "submit"}
    )
    assert incomplete.status_code == 400 and "Nhập phần tóm tắt công khai." in incomplete.text
    done = client.post(
        edit_url,
        data=_form(session) | {"csrf_token": token, "action": "submit"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("/receipt")
    session.commit()  # a fresh read transaction sees what the app wrote
    item = session.exec(select(Initiative)).one()
    receipt = client.get(done.headers["location"])
    assert item.receipt_code in receipt.text and item.fingerprint in receipt.text
    mine = client.get("/my/initiatives")
    with use_language("vi"):
        assert (
            item.receipt_code in mine.text and workflow.status_label(Status.submitted) in mine.text
        )


def test_the_dashboard_shows_the_coordinators_revision_request(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.screening)
    workflow.transition(
        session,
        item,
        Status.returned_for_revision,
        actor=cast.coordinator,
        reason="Bổ sung số liệu thực nghiệm.",
    )
    session.commit()
    web_login(client, cast.submitter.email)
    page = client.get("/my/initiatives")
    assert "Bổ sung số liệu thực nghiệm." in page.text
    assert "Chỉnh sửa sáng kiến theo yêu cầu và nộp lại." in page.text


def _multipart(token: str | None, fields: dict) -> dict:
    """The form as a browser sends it: the token first, the text, then the file."""
    return ({"csrf_token": token} if token else {}) | fields


def test_a_file_is_attached_from_the_form_with_the_token_in_the_body_not_the_url(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    web_login(client, cast.submitter.email)
    page = client.get(f"/initiatives/{item.id}/edit").text
    token = csrf_of(page)
    assert TOKEN_IN_URL.search(page) is None
    assert 'enctype="multipart/form-data"' in page
    pdf = {"file": ("mô tả.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    typed = _form(session, title="Tiêu đề chưa lưu")
    without = client.post(f"/initiatives/{item.id}/edit", data=_multipart(None, typed), files=pdf)
    in_url = client.post(f"/initiatives/{item.id}/edit?csrf_token={token}", data=typed, files=pdf)
    assert (without.status_code, in_url.status_code) == (403, 403)
    assert "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này." in without.text
    session.refresh(item, ["attachments"])
    assert item.attachments == [] and stored_files() == []
    sent = client.post(
        f"/initiatives/{item.id}/edit",
        data=_multipart(token, typed | {"action": "attach"}),
        files=pdf,
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (
        303,
        f"/initiatives/{item.id}/edit#attachments",
    )
    session.refresh(item)
    session.refresh(item, ["attachments"])
    assert [a.filename for a in item.attachments] == ["mô tả.pdf"]
    assert item.title == "Tiêu đề chưa lưu"  # what was typed is saved with the file
    assert len(stored_files()) == 1


def test_a_file_is_attached_before_the_first_save_with_what_was_typed(client, session):
    cast = helpers.cast(session)
    web_login(client, cast.submitter.email)
    page = client.get("/initiatives/new").text
    assert 'id="f-file"' in page
    sent = client.post(
        "/initiatives/new",
        data=_multipart(
            csrf_of(page), {"title": "Bản nháp có tệp", "summary": "Chưa lưu", "action": "attach"}
        ),
        files={"file": ("thuyet-minh.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.commit()
    item = session.exec(select(Initiative)).one()
    assert sent.headers["location"] == f"/initiatives/{item.id}/edit#attachments"
    assert (item.title, item.summary, item.status) == ("Bản nháp có tệp", "Chưa lưu", "draft")
    assert [a.filename for a in item.attachments] == ["thuyet-minh.pdf"]
    shown = client.get(sent.headers["location"]).text
    assert "thuyet-minh.pdf" in shown and "Đã đính kèm tệp và lưu bản nháp." in shown


def test_the_coordinator_starts_screening_from_the_inbox(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(
        session, cast.submitter, status=Status.submitted, receipt_code="SK-2026-000007"
    )
    web_login(client, cast.coordinator.email)
    inbox = client.get("/coordinator/initiatives")
    assert "SK-2026-000007" in inbox.text
    moved = client.post(
        "/coordinator/initiatives/bulk",
        data={"ids": [str(item.id)], "csrf_token": csrf_of(inbox.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    session.refresh(item)
    assert item.status == Status.screening


def test_the_public_receipt_page_shows_the_stage_not_the_content(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(
        session,
        cast.submitter,
        status=Status.screening,
        receipt_code="SK-2026-000009",
        fingerprint="f" * 64,
    )
    page = client.get("/receipts?code=sk-2026-000009")
    assert page.status_code == 200 and "Đang kiểm tra hồ sơ" in page.text
    assert item.title not in page.text and helpers.CONTENT["summary"] not in page.text
    assert client.get("/receipts?code=SK-2026-000010").status_code == 404


def test_only_admins_open_the_taxonomy_editor(client, session):
    cast = helpers.cast(session)
    helpers.seed_taxonomy(session)
    web_login(client, cast.coordinator.email)
    assert client.get("/admin/fields").status_code == 403
    client.post("/account/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    web_login(client, cast.admin.email)
    page = client.get("/admin/fields")
    assert page.status_code == 200 and "Công nghệ số chiến lược" in page.text


def test_a_refused_upload_keeps_the_form_with_the_message_by_the_field(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    web_login(client, cast.submitter.email)
    token = csrf_of(client.get(f"/initiatives/{item.id}/edit").text)
    sent = client.post(
        f"/initiatives/{item.id}/edit",
        data=_multipart(token, _form(session, summary="Tóm tắt <chưa lưu>", action="save")),
        files={"file": ("chay.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")},
        follow_redirects=False,
    )
    assert sent.status_code == 400
    form = sent.text
    field = form[form.index('<label for="f-file">') : form.index('id="f-file"')]
    assert (
        '<p class="field-error" id="e-file">Tệp “chay.exe” không thuộc loại được chấp nhận.'
        in field
    )
    assert 'href="#f-file"' in form  # the error summary links to the field
    assert "Tóm tắt &lt;chưa lưu&gt;" in form  # nothing typed is lost
    session.refresh(item)
    session.refresh(item, ["attachments"])
    assert item.attachments == [] and item.summary == helpers.CONTENT["summary"]
    assert stored_files() == []
    new = client.post(
        "/initiatives/new",
        data=_multipart(token, {"title": "Mới", "action": "attach"}),
        files={"file": ("chay.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")},
    )
    assert new.status_code == 400 and 'value="Mới"' in new.text and 'id="e-file"' in new.text
    assert len(session.exec(select(Initiative)).all()) == 1


def test_a_refused_draft_keeps_no_file(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    web_login(client, cast.submitter.email)
    token = csrf_of(client.get(f"/initiatives/{item.id}/edit").text)
    sent = client.post(
        f"/initiatives/{item.id}/edit",
        data=_multipart(token, _form(session, trl="12", action="attach")),
        files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert sent.status_code == 400 and 'id="e-trl"' in sent.text
    session.refresh(item, ["attachments"])
    assert item.attachments == [] and stored_files() == []


def test_the_version_comparison_names_sections_not_codes(client, session):
    from tests.conftest import api_token

    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    submitter = api_token(client, cast.submitter.email)
    coordinator = api_token(client, cast.coordinator.email)
    client.post(f"/api/v1/initiatives/{item.id}/submit", headers=submitter)
    for to, reason in [("screening", None), ("returned_for_revision", "Bổ sung lộ trình.")]:
        client.post(
            f"/api/v1/initiatives/{item.id}/transitions",
            json={"to": to, "reason": reason},
            headers=coordinator,
        )
    client.patch(
        f"/api/v1/initiatives/{item.id}", json={"feasibility": "Lộ trình 5 năm."}, headers=submitter
    )
    client.post(f"/api/v1/initiatives/{item.id}/submit", headers=submitter)
    web_login(client, cast.submitter.email)
    page = client.get(f"/initiatives/{item.id}/versions?a=1&b=2").text
    assert '<th scope="row">Tính khả thi và lộ trình</th>' in page
    assert '<th scope="row">feasibility</th>' not in page


def test_a_file_over_the_limit_is_refused_while_streaming_and_the_text_stays(
    client, session, settings
):
    settings.max_upload_bytes = 64 * 1024
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    web_login(client, cast.submitter.email)
    token = csrf_of(client.get(f"/initiatives/{item.id}/edit").text)
    big = b"%PDF-1.4\n" + b"0" * (200 * 1024)
    sent = client.post(
        f"/initiatives/{item.id}/edit",
        data=_multipart(token, _form(session, title="Giữ nguyên tiêu đề", action="attach")),
        files={"file": ("lon.pdf", big, "application/pdf")},
    )
    assert sent.status_code == 400
    assert 'value="Giữ nguyên tiêu đề"' in sent.text
    assert '<p class="field-error" id="e-file">Tệp “lon.pdf” vượt quá giới hạn 0,1 MB.' in sent.text
    session.refresh(item, ["attachments"])
    assert item.attachments == [] and stored_files() == []
