"""Views on "my problems": once per visitor and day (Vietnam time), never robots, HEAD requests
or the owners themselves."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.problems import service
from tests.conftest import web_login
from tests.problems.helpers import cast, problem

BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def views(session, p) -> int:
    session.refresh(p)
    return p.views


def test_a_visitor_is_counted_once_a_day_and_robots_and_owners_not_at_all(client, session):
    c = cast(session)
    shown = problem(session, c, "open")
    url = f"/problems/{shown.id}"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # the same anonymous reader, the same day
    assert client.get(f"/api/v1/problems/{shown.id}").status_code == 200  # and through the API
    assert views(session, shown) == 1
    assert client.get(url, headers={"User-Agent": BOT}).status_code == 200
    assert client.get(url, headers={"User-Agent": ""}).status_code == 200
    client.head(url)
    assert views(session, shown) == 1
    web_login(client, c.scientist.email)
    client.get(url)
    client.get(url)
    assert views(session, shown) == 2
    client.cookies.clear()
    web_login(client, c.owner.email)
    client.get(url)
    assert views(session, shown) == 2


def test_the_next_day_counts_again_and_a_draft_never(session):
    c = cast(session)
    shown = problem(session, c, "open")
    draft = problem(session, c, "draft")
    key = service.visitor_key(c.scientist, "10.0.0.1", "Mozilla/5.0")
    assert key is not None and service.visitor_key(c.scientist, "10.9.9.9", "Other") == key
    now = utcnow()
    assert service.count_view(session, c.scientist, shown, key, now=now) is True
    assert service.count_view(session, c.scientist, shown, key, now=now) is False
    assert service.count_view(session, c.scientist, shown, key, now=now + timedelta(days=1))
    assert service.count_view(session, c.coordinator, draft, key, now=now) is False
    assert service.count_view(session, None, shown, None, now=now) is False
    session.commit()
    assert (views(session, shown), views(session, draft)) == (2, 0)
