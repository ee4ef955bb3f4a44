"""Unsubscribing from a mail: the link in the body and the one-click POST, both without signing in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.subscriptions import service
from app.subscriptions.models import Subscription
from app.subscriptions.schemas import SubscriptionForm
from tests.conftest import csrf_of
from tests.subscriptions import helpers


def instant_mail(session, worker, smtp, people):
    service.subscribe(
        session,
        people.investor,
        SubscriptionForm(kind="category", province="Lào Cai", channel="instant", name="Lào Cai"),
    )
    session.commit()
    helpers.publish(session, people.submitter, people.coordinator)
    helpers.deliver_all(session, worker)
    [mail] = [m for m in smtp.wait_for(1) if m.rcpt_tos == [people.investor.email]]
    return mail


def test_the_link_in_the_mail_unsubscribes_without_signing_in(
    app, session, worker, mail_to_smtp, people
):
    mail = instant_mail(session, worker, mail_to_smtp, people)
    link = re.search(r"Unsubscribe with one click: (\S+)", mail.text).group(1)
    path = link.removeprefix("http://testserver")
    with TestClient(app) as anonymous:
        page = anonymous.get(path)
        assert page.status_code == 200
        assert "Lào Cai" in page.text
        done = anonymous.post(path, data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200
    assert "Bạn đã hủy đăng ký." in done.text
    assert session.exec(select(Subscription)).all() == []


def test_the_list_unsubscribe_header_accepts_a_one_click_post(
    app, session, worker, mail_to_smtp, people
):
    mail = instant_mail(session, worker, mail_to_smtp, people)
    url = mail["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    with TestClient(app) as mail_program:
        first = mail_program.post(
            url,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        again = mail_program.post(
            url,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        forged = mail_program.post(url[:-3] + "abc", content="List-Unsubscribe=One-Click")
    assert (first.status_code, first.json()) == (200, {"removed": 1})
    assert (again.status_code, again.json()) == (200, {"removed": 0})
    assert forged.status_code == 404
    assert session.exec(select(Subscription)).all() == []
