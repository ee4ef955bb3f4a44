"""Use 3 from viewed initiatives: a signed-in person's views are noted (one row per pair,
the newest 50), feed "Gợi ý cho bạn" with a reason naming what they viewed, are theirs alone,
and can be cleared; anonymous visitors are never logged."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.accounts.models import Role
from app.errors import PermissionDenied
from app.initiatives.models import Initiative
from app.matching import history, recommend
from app.matching.models import InitiativeView
from tests import factories
from tests.catalogue.conftest import people  # noqa: F401 (fixture)
from tests.conftest import api_token, csrf_of, web_login
from tests.matching.conftest import E5

VIEWED = "Gần với “Hệ thống tưới nhỏ giọt cho cà phê” mà bạn đã xem"


def views(session: Session, user_id: int | None = None) -> list[tuple[int, int]]:
    session.expire_all()
    query = select(InitiativeView).order_by(
        col(InitiativeView.user_id), col(InitiativeView.initiative_id)
    )
    if user_id is not None:
        query = query.where(InitiativeView.user_id == user_id)
    return [(v.user_id, v.initiative_id) for v in session.exec(query)]


def test_a_view_is_noted_only_for_a_signed_in_person(client, session, world):
    investor = factories.user(session, Role.investor, email="xem@dautu.vn")
    session.commit()
    headers = api_token(client, investor.email)
    assert client.get(f"/catalogue/{world['drip']}").status_code == 200
    assert client.get(f"/api/v1/catalogue/{world['drip']}").status_code == 200
    assert views(session) == []  # a visitor is never logged
    web_login(client, investor.email)
    assert client.get(f"/catalogue/{world['drip']}").status_code == 200
    assert views(session) == [(investor.id, world["drip"])]
    first = session.exec(select(InitiativeView)).one().viewed_at
    client.cookies.clear()
    assert client.get(f"/api/v1/catalogue/{world['drip']}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/catalogue/{world['xray']}", headers=headers).status_code == 200
    assert views(session) == [(investor.id, world["drip"]), (investor.id, world["xray"])]
    again = session.get(InitiativeView, (investor.id, world["drip"]))
    assert again is not None and again.viewed_at > first  # one row per pair, the newest time
    # An unpublished initiative's page is a 404 and notes nothing.
    draft = session.get(Initiative, world["dryer"])
    draft.status = "draft"
    session.add(draft)
    session.commit()
    assert client.get(f"/api/v1/catalogue/{world['dryer']}", headers=headers).status_code == 404
    assert views(session, investor.id) == [
        (investor.id, world["drip"]),
        (investor.id, world["xray"]),
    ]


def test_only_the_newest_views_are_kept(session, world, monkeypatch):
    monkeypatch.setattr(history, "KEEP", 2)
    reader = factories.user(session, Role.enterprise, email="doc@dn.vn")
    for key in ("drip", "xray", "dryer"):
        history.record(session, reader, session.get_one(Initiative, world[key]))
        session.commit()
    assert history.viewed_ids(session, reader) == [world["dryer"], world["xray"]]
    history.record(session, reader, session.get_one(Initiative, world["drip"]))
    session.commit()
    assert history.viewed_ids(session, reader) == [world["drip"], world["dryer"]]


def test_a_viewed_initiative_seeds_suggestions_naming_it(client, session, world):
    investor = factories.user(session, Role.investor, email="goiy@dautu.vn")
    session.commit()
    assert recommend.for_user(session, investor, emb=E5) == []  # no interests yet
    web_login(client, investor.email)
    client.get(f"/catalogue/{world['drip']}")
    found = recommend.for_user(session, investor, emb=E5)
    assert [m.id for m in found] == [world["dryer"]]  # not the viewed one, not the X-ray
    assert found[0].reasons[0] == VIEWED
    home = client.get("/")
    assert "Gợi ý cho bạn" in home.text and VIEWED in home.text
    # In English too.
    with_en = factories.user(session, Role.investor, email="en@dautu.vn")
    session.commit()
    history.record(session, with_en, session.get_one(Initiative, world["drip"]))
    session.commit()
    client.cookies.clear()
    headers = api_token(client, with_en.email)
    body = client.get("/api/v1/me/suggestions", headers={**headers, "Accept-Language": "en"}).json()
    assert body["matches"][0]["reasons"][0] == (
        "Close to “Hệ thống tưới nhỏ giọt cho cà phê”, which you viewed"
    )


def test_the_history_is_private_and_can_be_cleared(client, session, world):
    owner = factories.user(session, Role.investor, email="rieng@dautu.vn")
    other = factories.user(session, Role.coordinator, email="khac@bo.gov.vn")
    session.commit()
    history.record(session, owner, session.get_one(Initiative, world["drip"]))
    session.commit()
    with pytest.raises(PermissionDenied):
        history.history(session, other, owner)  # not even a coordinator
    with pytest.raises(PermissionDenied):
        history.clear(session, other, owner)
    with pytest.raises(PermissionDenied):
        history.history(session, None, owner)
    # Another person's profile and API show only their own (empty) history.
    theirs = api_token(client, other.email)
    assert client.get("/api/v1/me/viewed", headers=theirs).json() == {"viewed": []}
    web_login(client, other.email)
    page = client.get("/account/profile")
    assert "Hệ thống tưới nhỏ giọt cho cà phê" not in page.text
    assert "Bạn chưa xem sáng kiến đã công bố nào." in page.text
    assert recommend.for_user(session, other, emb=E5) == []
    # The owner sees theirs, with what it is used for, and clears it.
    client.cookies.clear()
    mine = api_token(client, owner.email)
    body = client.get("/api/v1/me/viewed", headers=mine).json()
    assert [(v["id"], v["title"], v["url"]) for v in body["viewed"]] == [
        (world["drip"], "Hệ thống tưới nhỏ giọt cho cà phê", f"/catalogue/{world['drip']}")
    ]
    web_login(client, owner.email)
    page = client.get("/account/profile")
    section = page.text[page.text.index('id="viewed"') :]
    section = section[: section.index("</section>")]
    assert "Hệ thống tưới nhỏ giọt cho cà phê" in section
    assert "chỉ dùng để gợi ý cho riêng bạn; không ai khác xem được" in section
    answer = client.post(
        "/account/viewed/clear",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/account/profile#viewed"
    assert views(session) == []
    assert recommend.for_user(session, owner, emb=E5) == []
    history.record(session, owner, session.get_one(Initiative, world["xray"]))
    session.commit()
    client.cookies.clear()
    assert client.delete("/api/v1/me/viewed", headers=mine).json() == {"cleared": 1}
    assert views(session) == []


def test_the_history_goes_with_the_account(session, world):
    """No page deletes an account today; if a row of `user` is ever deleted, its history
    goes with it (ON DELETE CASCADE), never left behind."""
    from sqlalchemy import delete

    from app.accounts.models import RoleGrant, User

    gone = factories.user(session, Role.investor, email="xoa@dautu.vn")
    kept = factories.user(session, Role.investor, email="con@dautu.vn")
    for person in (gone, kept):
        history.record(session, person, session.get_one(Initiative, world["drip"]))
    session.commit()
    session.execute(delete(RoleGrant).where(col(RoleGrant.user_id) == gone.id))
    session.execute(delete(User).where(col(User.id) == gone.id))
    session.commit()
    assert views(session) == [(kept.id, world["drip"])]
