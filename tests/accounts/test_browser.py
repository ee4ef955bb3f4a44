"""The whole registration in a real browser: form, mail, link, sign-in."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.fixtures.smtp import first_link


@pytest.mark.browser
def test_register_confirm_by_mail_and_sign_in(app, settings, page, mail_to_smtp):
    with live_app(app) as base_url:
        settings.base_url = base_url
        page.goto(f"{base_url}/account/register")
        page.get_by_label("Họ và tên").fill("Lê Minh Châu")
        page.get_by_label("Email").fill("chau@example.vn")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_label("Số điện thoại").fill("0987 654 321")
        page.locator("#f-province").select_option("Huế")
        page.get_by_role("button", name="Tạo tài khoản").click()
        page.wait_for_url(f"{base_url}/account/verify/resend?email=chau%40example.vn")
        assert "Tài khoản của bạn đã được tạo" in page.locator("main").inner_text()

        app.state.worker.drain()
        [mail] = mail_to_smtp.wait_for(1)
        assert mail.rcpt_tos == ["chau@example.vn"]
        link = first_link(mail)
        assert link.startswith(f"{base_url}/account/verify?token=")

        page.goto(link)
        page.wait_for_url(f"{base_url}/account/login")
        assert "chau@example.vn đã được xác nhận" in page.locator("main").inner_text()
        page.get_by_label("Email").fill("chau@example.vn")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.locator("main").get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/")
        assert page.locator(".user-nav").get_by_role("link", name="Lê Minh Châu").is_visible()
