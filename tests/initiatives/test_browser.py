"""The whole submission in a real browser: draft over two visits, a PDF, the receipt, screening."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.initiatives.models import Initiative
from app.initiatives.workflow import Status
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.initiatives import helpers

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _sign_in(page, base_url, email):
    page.goto(f"{base_url}/account/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main").get_by_role("button").click()
    page.wait_for_url(f"{base_url}/")


def _sign_out(page):
    page.locator(".user-nav form button").click()


@pytest.mark.browser
def test_submit_over_two_visits_with_a_pdf_then_a_coordinator_screens_and_accepts(
    app, session, page, tmp_path
):
    cast = helpers.cast(session)
    field = helpers.top_field(session)
    pdf_path = tmp_path / "thuyet-minh.pdf"
    pdf_path.write_bytes(PDF)
    with live_app(app) as base_url:
        # First visit: only a title, saved as a draft.
        _sign_in(page, base_url, cast.submitter.email)
        page.goto(f"{base_url}/initiatives/new")
        page.locator("#f-title").fill(helpers.CONTENT["title"])
        page.locator("button[value=save]").click()
        page.wait_for_url(re.compile(r".*/initiatives/\d+/edit$"))
        _sign_out(page)

        # Second visit: resume from the dashboard, complete, attach a PDF, submit.
        _sign_in(page, base_url, cast.submitter.email)
        page.goto(f"{base_url}/my/initiatives")
        page.locator("a[href$='/edit']").click()
        assert page.locator("#f-title").input_value() == helpers.CONTENT["title"]
        for name in ("summary", "problem", "impact", "solution", "novelty", "feasibility"):
            page.locator(f"#f-{name}").fill(helpers.CONTENT[name])
        page.locator("#f-field_id").select_option(str(field.id))
        page.locator("#f-keywords").fill("sạt lở, IoT")
        page.locator("#f-trl").select_option("6")
        page.locator("#f-province").select_option("Lào Cai")
        page.locator("input[name=resources_wanted][value=investors]").check()
        page.locator("button[value=save]").click()
        page.wait_for_url(re.compile(r".*/edit$"))
        page.locator("#f-file").set_input_files(str(pdf_path))
        page.locator("button[value=attach]").click()
        page.wait_for_url(re.compile(r".*/edit#attachments$"))
        assert page.locator("#attachments").get_by_text("thuyet-minh.pdf").is_visible()
        page.locator("button[value=submit]").click()
        page.wait_for_url(re.compile(r".*/receipt$"))
        session.commit()  # a fresh read transaction sees what the app wrote
        item = session.exec(select(Initiative)).one()
        session.refresh(item)
        assert page.locator(".receipt-code").inner_text() == item.receipt_code
        assert item.fingerprint in page.locator("main").inner_text()
        _sign_out(page)

        # The coordinator starts screening from the inbox, then accepts it for review.
        _sign_in(page, base_url, cast.coordinator.email)
        page.goto(f"{base_url}/coordinator/initiatives")
        page.locator(f"#sel-{item.id}").check()
        page.locator("form[action='/coordinator/initiatives/bulk'] button[type=submit]").click()
        page.wait_for_url(f"{base_url}/coordinator/initiatives")
        page.goto(f"{base_url}/initiatives/{item.id}")
        # No button skips the round: the page sends the coordinator to open one.
        assert page.locator("form.transition:has(input[value=in_review])").count() == 0
        page.locator(f"a[href='/reviews/rounds/new?initiative={item.id}']").click()
        assert page.locator(f"#i-{item.id}").is_checked()
        page.locator("#f-name").fill("Đợt thử nghiệm")
        page.locator("#f-due_at").fill((date.today() + timedelta(days=10)).isoformat())
        page.locator("form[action='/reviews/rounds/new'] button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/reviews/rounds/\d+$"))
        session.commit()
        session.refresh(item)
        assert item.status == Status.in_review
        assert [a.filename for a in item.attachments] == ["thuyet-minh.pdf"]


@pytest.mark.browser
def test_a_file_attached_before_the_first_save_keeps_what_was_typed(app, session, page, tmp_path):
    """Issue 10 §7: the first thing a submitter does may be to attach the project description."""
    cast = helpers.cast(session)
    pdf_path = tmp_path / "thuyet-minh.pdf"
    pdf_path.write_bytes(PDF)
    exe_path = tmp_path / "chay.exe"
    exe_path.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    with live_app(app) as base_url:
        _sign_in(page, base_url, cast.submitter.email)
        page.goto(f"{base_url}/initiatives/new")
        page.locator("#f-title").fill("Cảnh báo sạt lở")
        page.locator("#f-summary").fill("Chưa lưu lần nào")
        page.locator("#f-file").set_input_files(str(exe_path))
        page.locator("button[value=attach]").click()
        page.wait_for_load_state()
        # Refused: the same form, the message by the file field, nothing typed lost.
        assert page.locator("#e-file").inner_text().startswith("Tệp “chay.exe” không thuộc loại")
        assert page.locator("#f-title").input_value() == "Cảnh báo sạt lở"
        assert page.locator("#f-summary").input_value() == "Chưa lưu lần nào"
        page.locator("#f-file").set_input_files(str(pdf_path))
        page.locator("button[value=attach]").click()
        page.wait_for_url(re.compile(r".*/initiatives/\d+/edit#attachments$"))
        assert page.locator("#attachments").get_by_text("thuyet-minh.pdf").is_visible()
        assert page.locator("#f-title").input_value() == "Cảnh báo sạt lở"
        assert page.locator("#f-summary").input_value() == "Chưa lưu lần nào"
        assert "?csrf_token" not in (
            page.locator("form.initiative-form").get_attribute("action") or ""
        )
    session.commit()
    item = session.exec(select(Initiative)).one()
    assert (item.title, [a.filename for a in item.attachments]) == (
        "Cảnh báo sạt lở",
        ["thuyet-minh.pdf"],
    )


@pytest.mark.browser
def test_the_receipt_and_the_certificate_have_a_print_view(app, session, page):
    """Issue 10 §7: printed, each shows the document alone and the address that verifies it."""
    from app.config import get_settings
    from app.initiatives import service
    from app.publication import service as publication
    from tests.process import walk

    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item, confirm_similar=True)  # the receipt
    walk(session, item, Status.published, submitter=cast.submitter, coordinator=cast.coordinator)
    session.commit()
    certificate = publication.current_certificate(session, item)
    assert certificate is not None
    site = get_settings().base_url.rstrip("/")
    with live_app(app) as base_url:
        _sign_in(page, base_url, cast.submitter.email)
        for url, link, check in [
            (
                f"/initiatives/{item.id}/receipt",
                f"a[href='/initiatives/{item.id}/receipt.pdf']",
                f"Kiểm tra phiếu tiếp nhận này tại {site}/receipts?code={item.receipt_code}",
            ),
            (
                f"/certificates/{certificate.number}",
                f"a[href='/certificates/{certificate.number}/pdf']",
                f"Kiểm tra giấy chứng nhận này tại {site}/certificates/{certificate.number}",
            ),
        ]:
            page.emulate_media(media="screen")
            page.goto(f"{base_url}{url}")
            button = page.locator("button[data-print]")
            assert button.is_visible() and page.locator(link).is_visible()
            assert not page.get_by_text(check).is_visible()
            page.emulate_media(media="print")
            assert page.get_by_text(check).is_visible()
            assert not button.is_visible() and not page.locator(link).is_visible()
            assert not page.locator(".site-header").is_visible()
            assert page.locator("h1").is_visible()
