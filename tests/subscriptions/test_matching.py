"""Matching a publication to subscriptions: instant mail, once per user, saved searches as the engine sees them."""

from __future__ import annotations

import pytest
from sqlmodel import select
from starlette.datastructures import QueryParams

from app.accounts.models import Role
from app.catalogue import service as catalogue
from app.catalogue.schemas import SearchParams
from app.notifications.models import Notification
from app.subscriptions import service
from app.subscriptions.models import DigestItem, SubscriptionNotice
from app.subscriptions.schemas import SubscriptionForm
from tests import factories
from tests.conftest import web_login
from tests.subscriptions import helpers


def subscribe(session, user, **fields):
    sub = service.subscribe(session, user, SubscriptionForm(**fields))
    session.commit()
    return sub


def test_a_category_subscriber_gets_an_instant_mail_with_unsubscribe_headers(
    session, worker, mail_to_smtp, people
):
    energy = helpers.field(session, "industry_energy")
    subscribe(
        session, people.investor, kind="category", field_code="industry_energy", channel="instant"
    )
    item = helpers.publish(
        session,
        people.submitter,
        people.coordinator,
        title="Điện gió ngoài khơi",
        field_id=energy.parent_id,
        subfield_id=energy.id,
    )
    helpers.deliver_all(session, worker)

    mails = [m for m in mail_to_smtp.wait_for(1) if m.rcpt_tos == [people.investor.email]]
    assert len(mails) == 1
    mail = mails[0]
    assert mail.subject == "New initiative: Điện gió ngoài khơi"
    assert f"http://testserver/catalogue/{item.id}" in mail.text
    assert mail["List-Unsubscribe"].startswith(
        "<http://testserver/api/v1/subscriptions/unsubscribe/"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [note] = session.exec(
        select(Notification).where(Notification.user_id == people.investor.id)
    ).all()
    assert (note.type, note.channel, note.link) == (
        "subscription_match",
        "both",
        f"/catalogue/{item.id}",
    )


def test_a_category_does_not_match_another_field_or_province(session, worker, mail_to_smtp, people):
    subscribe(
        session,
        people.investor,
        kind="category",
        field_code="industry_energy",
        province="Đà Nẵng",
        channel="instant",
    )
    energy = helpers.field(session, "industry_energy")
    helpers.publish(
        session, people.submitter, people.coordinator, subfield_id=energy.id, province="Hà Nội"
    )
    helpers.publish(session, people.submitter, people.coordinator, province="Đà Nẵng")
    helpers.deliver_all(session, worker)
    assert session.exec(select(SubscriptionNotice)).all() == []


def test_several_matching_subscriptions_tell_the_user_once_naming_each(
    session, worker, mail_to_smtp, people
):
    first = subscribe(
        session,
        people.investor,
        kind="category",
        province="Lào Cai",
        channel="instant",
        name="Lào Cai",
    )
    second = subscribe(
        session, people.investor, kind="search", query="q=sạt+lở", channel="daily", name="Sạt lở"
    )
    item = helpers.publish(session, people.submitter, people.coordinator)
    helpers.deliver_all(session, worker)

    [notice] = session.exec(select(SubscriptionNotice)).all()
    assert (notice.user_id, notice.initiative_id, notice.subscription_ids) == (
        people.investor.id,
        item.id,
        [first.id, second.id],
    )
    [note] = session.exec(
        select(Notification).where(Notification.user_id == people.investor.id)
    ).all()
    assert note.body == "Matches your subscriptions: Lào Cai, Sạt lở"
    mails = [m for m in mail_to_smtp.wait_for(1) if m.rcpt_tos == [people.investor.email]]
    assert len(mails) == 1
    assert (
        session.exec(select(DigestItem)).all() == []
    )  # told by mail already: not again in the digest


def test_a_republished_initiative_is_not_announced_twice(session, worker, people):
    subscribe(session, people.investor, kind="category", province="Lào Cai", channel="in_app")
    item = helpers.publish(session, people.submitter, people.coordinator)
    helpers.deliver_all(session, worker)
    helpers.unpublish(session, item, people.coordinator)
    from app.publication import service as publication

    publication.publish(session, people.coordinator, item)
    session.commit()
    helpers.deliver_all(session, worker)
    assert (
        len(
            session.exec(
                select(Notification).where(Notification.user_id == people.investor.id)
            ).all()
        )
        == 1
    )


def test_a_paused_subscription_matches_nothing(session, worker, people):
    sub = subscribe(session, people.investor, kind="category", province="Lào Cai", channel="in_app")
    service.set_paused(session, sub, True)
    session.commit()
    helpers.publish(session, people.submitter, people.coordinator)
    helpers.deliver_all(session, worker)
    assert session.exec(select(SubscriptionNotice)).all() == []


CORPUS = [
    ("Năng lượng mặt trời cho trường học", "Hệ thống pin mặt trời áp mái.", "Đà Nẵng"),
    ("Lưu trữ năng lượng bằng pin natri", "Pin giá rẻ cho lưới điện.", "Đà Nẵng"),
    ("Năng lượng gió ven biển", "Tua-bin gió cỡ nhỏ.", "Hà Nội"),
    ("Nuôi tôm tuần hoàn", "Tiết kiệm nước và năng suất cao.", "Đà Nẵng"),
    ("Mạng lưới điện thông minh", "Điều độ phụ tải theo thời gian thực.", "Đà Nẵng"),
]


@pytest.mark.parametrize(
    "query",
    [
        "q=nang+luong&province=Đà+Nẵng",
        "q=năng+lượng",
        "q=gio&province=Hà+Nội",
        "q=luoi+dien",
        "province=Đà+Nẵng",
    ],
)
def test_a_saved_search_matches_exactly_what_the_search_returns(session, worker, people, query):
    sub = subscribe(session, people.investor, kind="search", query=query, channel="in_app")
    items = [
        helpers.publish(
            session,
            people.submitter,
            people.coordinator,
            title=t,
            summary=s,
            province=p,
            keywords=[],
        )
        for t, s, p in CORPUS
    ]
    helpers.deliver_all(session, worker)

    told = {n.initiative_id for n in session.exec(select(SubscriptionNotice))}
    shown = catalogue.run_search(
        session, SearchParams.from_query(QueryParams(query)).model_copy(update={"per_page": 50})
    )
    expected = {h.id for h in shown.hits}
    assert told == expected
    assert told <= {i.id for i in items}
    assert told  # every query above finds something
    assert sub.id is not None


def test_an_automatic_name_reaches_each_reader_in_their_language_a_typed_one_as_typed(
    client, session, worker, mail_to_smtp, people
):
    vietnamese = factories.user(session, Role.investor, full_name="Lê Văn Việt", language="vi")
    for user in (people.investor, vietnamese):
        subscribe(
            session, user, kind="category", field_code="digital_technology", channel="instant"
        )
    subscribe(session, people.investor, kind="category", province="Lào Cai", name="Lào Cai của tôi")
    helpers.publish(session, people.submitter, people.coordinator)  # digital technology, Lào Cai
    helpers.deliver_all(session, worker)

    english = "Matches your subscriptions: Strategic digital technology, Lào Cai của tôi"
    in_vietnamese = "Khớp với đăng ký theo dõi: Công nghệ số chiến lược, Lào Cai của tôi"
    notes = {
        n.user_id: n
        for n in session.exec(select(Notification).where(Notification.type == "subscription_match"))
    }
    assert (notes[people.investor.id].body, notes[people.investor.id].body_in("vi")) == (
        english,
        in_vietnamese,
    )
    assert notes[vietnamese.id].body == "Khớp với đăng ký theo dõi: Công nghệ số chiến lược"
    web_login(client, people.investor.email)
    assert english in client.get("/inbox?lang=en").text
    assert in_vietnamese in client.get("/inbox?lang=vi").text

    mails = {m.rcpt_tos[0]: m.text for m in mail_to_smtp.wait_for(2)}
    assert "- Strategic digital technology (unsubscribe: " in mails[people.investor.email]
    lines = [line.strip() for line in mails[people.investor.email].splitlines()]
    assert "Strategic digital technology · Lào Cai" in lines  # the initiative's field too
    assert "- Lào Cai của tôi (unsubscribe: " in mails[people.investor.email]
    assert "- Công nghệ số chiến lược (hủy theo dõi: " in mails[vietnamese.email]
