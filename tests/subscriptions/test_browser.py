"""In a browser: an investor saves a search, subscribes daily and sees the match in the inbox."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.subscriptions import helpers


@pytest.mark.browser
def test_an_investor_saves_a_search_subscribes_daily_and_sees_the_notification(
    app, page, session, worker, people
):
    with live_app(app) as base_url:
        page.goto(f"{base_url}/account/login")
        page.fill("#f-email", people.investor.email)
        page.fill("#f-password", PASSWORD)
        page.click("form[action^='/account/login'] button[type=submit]")
        page.wait_for_url(f"{base_url}/")

        # The catalogue's "save this search" link leads here with the results page's query string.
        page.goto(f"{base_url}/subscriptions/new?q=nang+luong&province=%C4%90%C3%A0+N%E1%BA%B5ng")
        page.check("#ch-daily")
        page.click("form[action='/subscriptions'] button[type=submit]")
        page.wait_for_url(f"{base_url}/subscriptions")
        assert "“nang luong” · Đà Nẵng" in page.text_content("main")
        assert page.locator(".inbox-link .badge").count() == 0

        item = helpers.publish(
            session,
            people.submitter,
            people.coordinator,
            title="Năng lượng mặt trời cho trường học",
            province="Đà Nẵng",
        )
        helpers.deliver_all(session, worker)

        page.reload()
        assert page.text_content(".inbox-link .badge") == "1"
        page.click(".inbox-link")
        page.wait_for_url(f"{base_url}/inbox")
        link = page.locator(".inbox-item.unread a.inbox-title")
        assert (
            link.text_content() == "New initiative: Năng lượng mặt trời cho trường học"
        )  # the investor reads English
        assert (
            link.get_attribute("href") == f"/inbox/{_notification_id(session, people.investor.id)}"
        )
        assert item.id is not None


def _notification_id(session, user_id: int) -> int:
    return session.exec(select(Notification.id).where(Notification.user_id == user_id)).one()
