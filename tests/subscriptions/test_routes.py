"""Subscription pages: subscribing (refusals keep what was typed and save nothing), editing, pausing, removing."""

from __future__ import annotations

from sqlmodel import select

from app.subscriptions.models import Subscription
from tests.conftest import csrf_of, web_login


def _post(client, path: str, data: dict, page: str = "/subscriptions/new"):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_a_category_subscription_is_created_and_listed(client, session, people):
    web_login(client, people.investor.email)
    answer = _post(
        client,
        "/subscriptions",
        {"kind": "category", "field_code": "industry_energy", "channel": "weekly"},
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/subscriptions")
    (sub,) = session.exec(select(Subscription)).all()
    assert (sub.user_id, sub.field_code, sub.channel) == (
        people.investor.id,
        "industry_energy",
        "weekly",
    )
    assert sub.name in client.get("/subscriptions").text


def test_a_refused_subscription_is_shown_again_and_saves_nothing(client, session, people):
    web_login(client, people.investor.email)
    unknown = _post(
        client, "/subscriptions", {"kind": "category", "province": "Atlantis", "name": "Của tôi"}
    )
    assert unknown.status_code == 400
    assert 'value="Của tôi"' in unknown.text
    empty = _post(client, "/subscriptions", {"kind": "category"})
    assert empty.status_code == 400
    assert session.exec(select(Subscription)).all() == []


def test_edit_pause_resume_and_remove_only_ones_own(client, session, people):
    web_login(client, people.investor.email)
    _post(client, "/subscriptions", {"kind": "category", "field_code": "industry_energy"})
    (sub,) = session.exec(select(Subscription)).all()
    edit = f"/subscriptions/{sub.id}/edit"
    assert (
        _post(
            client, f"/subscriptions/{sub.id}", {"name": "", "channel": "daily"}, edit
        ).status_code
        == 400
    )
    renamed = _post(
        client, f"/subscriptions/{sub.id}", {"name": "Năng lượng", "channel": "daily"}, edit
    )
    assert renamed.status_code == 303
    assert _post(client, f"/subscriptions/{sub.id}/pause", {}, "/subscriptions").status_code == 303
    session.refresh(sub)
    assert (sub.name, sub.is_paused) == ("Năng lượng", True)

    web_login(client, people.submitter.email)
    assert client.get(edit).status_code == 403
    web_login(client, people.investor.email)
    assert _post(client, f"/subscriptions/{sub.id}/delete", {}, "/subscriptions").status_code == 303
    session.expire_all()
    assert session.exec(select(Subscription)).all() == []
