"""Subscriptions to problem statements: the same subscriptions, notices, digests and feeds as for
initiatives, with mail through a real SMTP server."""

from __future__ import annotations

from html import unescape

from sqlmodel import select

from app.problems import service as problems
from app.problems import workflow
from app.problems.schemas import ProblemIn
from app.subscriptions import digests, service
from app.subscriptions.models import DigestItem, Subscription, SubscriptionNotice
from tests.conftest import csrf_of, web_login
from tests.problems.helpers import TITLE, body, cast

OTHER = "Cảm biến độ ẩm đất cho cà phê"


def opened(session, c, **overrides):
    """A problem posted by the owner's company, moderated and opened by a coordinator."""
    problem = problems.create(session, c.owner, ProblemIn.model_validate(body(**overrides)))
    problems.submit(session, c.owner, problem)
    workflow.transition(session, problem, "open", actor=c.coordinator)
    session.commit()
    return problem


def test_a_field_subscription_to_problems_mails_at_once_and_never_the_owners(
    client, session, worker, mail_to_smtp
):
    c = cast(session)
    web_login(client, c.scientist.email)
    form = client.get("/subscriptions/new?subject=problems")
    assert form.status_code == 200
    assert "New subscription to problems to solve" in form.text
    created = client.post(
        "/subscriptions",
        data={
            "csrf_token": csrf_of(form.text),
            "subject": "problems",
            "kind": "category",
            "field_code": "agriculture_environment",
            "channel": "instant",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    sub = session.exec(select(Subscription)).one()
    assert (sub.subject, sub.kind, sub.field_code, sub.name) == (
        "problems",
        "category",
        "agriculture_environment",
        "",  # an automatic name: made in the reader's language when shown
    )
    assert "<h2>Problems: Agriculture, natural resources and environment</h2>" in (
        client.get("/subscriptions?lang=en").text
    )
    assert "<h2>Bài toán: Nông nghiệp, tài nguyên và môi trường</h2>" in (
        client.get("/subscriptions?lang=vi").text
    )
    others = [
        Subscription(
            user_id=user.id,
            subject=subject,
            kind="category",
            field_code=field,
            province=province,
            name=name,
            channel="instant",
            feed_token=name,
        )
        for user, subject, field, province, name in (
            (c.owner, "problems", "agriculture_environment", None, "owner's own"),
            (c.other, "problems", None, "Sơn La", "another province"),
            (c.rival, "initiatives", "agriculture_environment", None, "initiatives only"),
        )
    ]
    session.add_all(others)
    session.commit()
    worker.drain()
    mail_to_smtp.clear()

    problem = opened(session, c)
    worker.drain()
    mails = [m for m in mail_to_smtp.wait_for(1) if "problem to solve" in m.subject]
    assert [(m.rcpt_tos, " ".join(m.subject.split())) for m in mails] == [
        ([c.scientist.email], f"New problem to solve: {TITLE}")
    ]
    assert "A new problem to solve was opened that matches your subscriptions:" in mails[0].text
    assert "- Problems: Agriculture, natural resources and environment (unsubscribe: " in (
        mails[0].text
    )
    assert f"/problems/{problem.id}" in mails[0].text
    assert "Công ty Nông sản Xanh" in mails[0].text
    assert "ZXQ-4471" not in mails[0].text  # never the confidential details
    assert mails[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notices = session.exec(select(SubscriptionNotice)).all()
    assert [(n.user_id, n.problem_id, n.initiative_id) for n in notices] == [
        (c.scientist.id, problem.id, None)
    ]


def test_a_saved_problem_search_from_the_listing_goes_into_the_digest_and_the_feeds(
    client, session, worker, mail_to_smtp
):
    c = cast(session)
    web_login(client, c.scientist.email)
    listing = client.get("/problems?q=that+thoat&funding_mode=enterprise_led")
    link = unescape(listing.text).split('href="/subscriptions/new?')[1].split('"')[0]
    assert link == "subject=problems&query=q%3Dthat%2Bthoat%26funding_mode%3Denterprise_led"
    form = client.get("/subscriptions/new?" + link)
    assert "You are saving this search of problems to solve:" in form.text
    client.post(
        "/subscriptions",
        data={
            "csrf_token": csrf_of(form.text),
            "subject": "problems",
            "kind": "search",
            "query": "q=that+thoat&funding_mode=enterprise_led",
            "channel": "daily",
        },
    )
    sub = session.exec(select(Subscription)).one()
    assert (sub.query, sub.name) == ("q=that+thoat&funding_mode=enterprise_led", "")
    assert service.label(session, sub, "en") == (
        "Problems: “that thoat” · Enterprise-led, enterprise pays at least 50 %"
    )

    matching = opened(session, c)  # "Giảm thất thoát …", enterprise-led: matches unaccented
    elsewhere = opened(session, c, title=OTHER, abstract="Đo độ ẩm đất.", pain="")
    prize = opened(session, c, title="Giảm thất thoát điện", funding_mode="prize")
    worker.drain()
    items = session.exec(select(DigestItem)).all()
    assert [(i.subscription_id, i.problem_id, i.status) for i in items] == [
        (sub.id, matching.id, "pending")
    ]

    mail_to_smtp.clear()
    assert digests.send_digests(session, "daily", force=True) == 1
    session.commit()
    worker.drain()
    [mail] = [m for m in mail_to_smtp.wait_for(1) if m.rcpt_tos == [c.scientist.email]]
    assert " ".join(mail.subject.split()) == "Your daily digest of new initiatives and problems"
    assert TITLE in mail.text and OTHER not in mail.text and "Giảm thất thoát điện" not in mail.text
    assert "New problems to solve opened since" in mail.text
    assert "== Problems: “that thoat” · Enterprise-led, enterprise pays at least 50 % ==" in (
        mail.text
    )

    feed = client.get("/feeds/problems.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    for p in (matching, elsewhere, prize):
        assert f"/problems/{p.id}</id>" in feed.text
    assert "ZXQ-4471" not in feed.text
    private = client.get(f"/feeds/s/{sub.feed_token}.atom")
    assert private.status_code == 200
    assert f"/problems/{matching.id}</id>" in private.text
    assert f"/problems/{elsewhere.id}</id>" not in private.text
    assert f"/problems/{prize.id}</id>" not in private.text
    assert "/problems?q=that+thoat&amp;funding_mode=enterprise_led" in private.text
