"""An enterprise registers in a real browser and does what it came for: it requests contact."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.exchange.models import ContactRequest
from app.initiatives.workflow import Status
from tests import factories, process
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.fixtures.smtp import first_link
from tests.initiatives import helpers as initiatives


@pytest.mark.browser
def test_an_enterprise_registers_confirms_and_requests_contact(
    app, settings, session, page, mail_to_smtp
):
    author = factories.user(session, Role.submitter, email="tacgia@vien.vn")
    boss = factories.user(session, Role.coordinator, email="dieuphoi@bo.gov.vn")
    item = initiatives.initiative(
        session, author, title="Máy sấy nông sản dùng năng lượng mặt trời"
    )
    process.walk(session, item, Status.published, submitter=author, coordinator=boss)
    session.commit()
    with live_app(app) as base_url:
        settings.base_url = base_url
        page.goto(f"{base_url}/account/register")
        page.locator("#g-enterprise").check()
        page.get_by_label("Họ và tên").fill("Đỗ Văn Doanh")
        page.get_by_label("Email").fill("doanh@congty.vn")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.locator("#f-province").select_option("Đà Nẵng")
        page.get_by_role("button", name="Tạo tài khoản").click()
        page.wait_for_url(f"{base_url}/account/verify/resend?email=doanh%40congty.vn")

        app.state.worker.drain()
        mails = [m for m in mail_to_smtp.wait_for(1) if m.rcpt_tos == ["doanh@congty.vn"]]
        page.goto(first_link(mails[0]))
        page.wait_for_url(f"{base_url}/account/login")
        page.get_by_label("Email").fill("doanh@congty.vn")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/")

        page.goto(f"{base_url}/catalogue/{item.id}")
        page.locator("#f-purpose").select_option("adopt")
        page.locator("#f-message").fill("Công ty chúng tôi muốn ứng dụng máy sấy tại Đà Nẵng.")
        page.get_by_role("button", name="Gửi yêu cầu").click()
        page.wait_for_url(f"{base_url}/exchange/requests")
    session.commit()
    request = session.exec(select(ContactRequest)).one()
    assert (request.initiative_id, request.purpose, request.status) == (item.id, "adopt", "pending")
