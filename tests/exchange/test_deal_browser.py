"""A whole deal in a real browser, two people in two sessions: contact → NDA → offer →
counter-offer → agreement → deployed, with an intermediary invited as facilitator by the authors
and accepted by the counterparty."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.exchange.models import Deal, DealFacilitator
from app.initiatives.models import Initiative
from tests.conftest import PASSWORD
from tests.exchange.deal_helpers import cast, intermediary
from tests.fixtures.browser import live_app


def _login(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(base_url + "/?lang=vi")  # the cast's users read English; this test reads Vietnamese


def _offer(page, scope: str, value: str) -> None:
    form = page.locator("#offer-form")
    form.get_by_label("Loại").select_option("licence")
    form.get_by_label("Phạm vi").fill(scope)
    form.get_by_label("Giá trị (đồng, bảo mật)").fill(value)
    form.get_by_role("button", name="Gửi đề nghị").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_a_whole_deal_in_the_browser(app, session, browser, page):
    c = cast(session)
    _agent, profile = intermediary(session)
    with live_app(app) as base_url:
        buyer = page
        _login(buyer, base_url, c.buyer.email)
        buyer.goto(f"{base_url}/catalogue/{c.initiative.id}")
        buyer.get_by_role("button", name="Mở giao dịch nhân danh tổ chức của tôi").click()
        buyer.wait_for_url("**/exchange/deals/*")
        deal_url = buyer.url
        buyer.get_by_role(
            "button", name="Tôi chấp nhận thỏa thuận bảo mật này cho bên mình"
        ).click()
        buyer.wait_for_load_state()

        context = browser.new_context(locale="vi-VN")
        submitter = context.new_page()
        try:
            _login(submitter, base_url, c.submitter.email)
            submitter.goto(deal_url)
            submitter.get_by_role(
                "button", name="Tôi chấp nhận thỏa thuận bảo mật này cho bên mình"
            ).click()
            submitter.wait_for_load_state()
            submitter.get_by_role("button", name="Bắt đầu thẩm định").click()
            submitter.wait_for_load_state()
            _offer(submitter, "Li-xăng độc quyền miền Bắc", "2000000000")
            submitter.get_by_label("Mời một tổ chức trung gian").select_option(str(profile.id))
            submitter.get_by_role("button", name="Mời", exact=True).click()
            submitter.wait_for_load_state()

            buyer.goto(deal_url)
            buyer.get_by_role("button", name="Chấp nhận tổ chức hỗ trợ này").click()
            buyer.wait_for_load_state()
            facilitator = buyer.locator("[data-facilitator]")
            assert facilitator.get_attribute("data-status") == "active"
            _offer(buyer, "Li-xăng không độc quyền miền Bắc", "1500000000")

            submitter.goto(deal_url)
            assert submitter.locator("[data-stage]").get_attribute("data-stage") == "negotiation"
            submitter.get_by_role("button", name="Chấp nhận đề nghị này").click()
            submitter.wait_for_load_state()
            submitter.get_by_label("Ngày ký").fill("2026-11-20")
            submitter.locator("#f-document").set_input_files(
                files=[
                    {
                        "name": "hop-dong.pdf",
                        "mimeType": "application/pdf",
                        "buffer": b"%PDF-1.4\n% hop dong\n%%EOF\n",
                    }
                ]
            )
            submitter.get_by_role("button", name="Ghi nhận hợp đồng đã ký").click()
            submitter.wait_for_load_state()
            submitter.locator("#f-place").fill("HTX Mộc Châu")
            submitter.locator("#f-indicator").fill("Năng suất (tấn/ha)")
            submitter.locator("#f-before").fill("4,1")
            submitter.locator("#f-after").fill("5,6")
            submitter.get_by_role("button", name="Báo cáo kết quả").click()
            submitter.wait_for_load_state()
        finally:
            context.close()

        buyer.goto(deal_url)
        buyer.get_by_role("button", name="Xác nhận kết quả").click()
        buyer.wait_for_load_state()
        assert buyer.locator("[data-stage]").get_attribute("data-stage") == "deployed"
        assert "Chuỗi băm của lịch sử này nguyên vẹn." in buyer.content()
        # On a phone the history scrolls inside its box: no column is squeezed, the page is
        # no wider than the screen.
        buyer.set_viewport_size({"width": 390, "height": 844})
        buyer.goto(deal_url)
        last = buyer.locator("table.deal-history tbody tr").last
        assert last.locator("td").nth(3).inner_text() == "Đã chuyển giai đoạn"
        widths = [last.locator("td").nth(i).bounding_box()["width"] for i in range(1, 6)]
        assert min(widths) >= 100 and widths[-1] >= 250
        assert buyer.evaluate("document.documentElement.scrollWidth") <= 390

    session.rollback()
    session.expire_all()
    assert session.exec(select(Deal.stage)).one() == "deployed"
    assert session.get(Initiative, c.initiative.id).status == "commercialising"
    assert session.exec(select(DealFacilitator.status)).one() == "active"
