"""Subscription pages: subscribing (refusals keep what was typed and save nothing), editing, pausing, removing."""

from __future__ import annotations

from sqlmodel import col, select

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
    assert "Leave empty to name it after what it follows: Energy" in client.get(edit).text
    too_long = _post(
        client, f"/subscriptions/{sub.id}", {"name": "x" * 201, "channel": "daily"}, edit
    )
    assert too_long.status_code == 400
    renamed = _post(
        client, f"/subscriptions/{sub.id}", {"name": "Năng lượng", "channel": "daily"}, edit
    )
    assert renamed.status_code == 303
    assert _post(client, f"/subscriptions/{sub.id}/pause", {}, "/subscriptions").status_code == 303
    session.refresh(sub)
    assert (sub.name, sub.is_paused) == ("Năng lượng", True)
    emptied = _post(client, f"/subscriptions/{sub.id}", {"name": " ", "channel": "daily"}, edit)
    assert emptied.status_code == 303
    session.refresh(sub)
    assert sub.name == ""  # the automatic name again
    assert "Energy <span" in client.get("/subscriptions?lang=en").text

    web_login(client, people.submitter.email)
    assert client.get(edit).status_code == 403
    web_login(client, people.investor.email)
    assert _post(client, f"/subscriptions/{sub.id}/delete", {}, "/subscriptions").status_code == 303
    session.expire_all()
    assert session.exec(select(Subscription)).all() == []


def _titles(page: str) -> list[str]:
    """The subscriptions' names, as the page's headings show them."""
    parts = page.split('<li class="card subscription">')[1:]
    return [part.split("<h2>")[1].split("</h2>")[0] for part in parts]


def test_an_automatic_name_follows_the_page_language_and_a_typed_name_stays_as_typed(
    client, session, people
):
    web_login(client, people.investor.email)
    for data in (
        {"subject": "problems", "kind": "category", "field_code": "agriculture_environment"},
        {"kind": "category", "field_code": "industry_energy", "province": "Đà Nẵng"},
        {"kind": "search", "query": "q=sau+rieng&field=agriculture_environment&trl=6"},
        {"kind": "category", "field_code": "industry_energy", "name": "  Điện gió của tôi "},
    ):
        assert _post(client, "/subscriptions", data).status_code == 303
    assert [s.name for s in session.exec(select(Subscription).order_by(col(Subscription.id)))] == [
        "",
        "",
        "",
        "Điện gió của tôi",
    ]
    assert _titles(client.get("/subscriptions?lang=en").text) == [
        "Problems: Agriculture, natural resources and environment",
        "Energy · Đà Nẵng",
        "“sau rieng” · Agriculture, natural resources and environment · TRL 6",
        "Điện gió của tôi",
    ]
    assert _titles(client.get("/subscriptions?lang=vi").text) == [
        "Bài toán: Nông nghiệp, tài nguyên và môi trường",
        "Năng lượng · Đà Nẵng",
        "“sau rieng” · Nông nghiệp, tài nguyên và môi trường · TRL 6",
        "Điện gió của tôi",
    ]


def test_the_form_saving_a_search_shows_its_automatic_name_without_typing_it(
    client, session, people
):
    web_login(client, people.investor.email)
    search = "/subscriptions/new?q=sau+rieng&field=agriculture_environment"
    english = client.get(search + "&lang=en").text
    assert '">“sau rieng” · Agriculture, natural resources and environment</a>' in english
    assert 'name="name" type="text" value=""' in english  # left empty: the name stays automatic
    vietnamese = client.get(search + "&lang=vi").text
    assert '">“sau rieng” · Nông nghiệp, tài nguyên và môi trường</a>' in vietnamese
    refused = _post(
        client,
        "/subscriptions",
        {"kind": "search", "query": "q=sau+rieng&field=agriculture_environment", "channel": "?"},
    )
    assert refused.status_code == 400  # shown again with the name of the search it saves
    assert '">“sau rieng” · Nông nghiệp, tài nguyên và môi trường</a>' in refused.text
    assert session.exec(select(Subscription)).all() == []
