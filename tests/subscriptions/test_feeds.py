"""Atom feeds: valid RFC 4287 documents, conditional GET, the private feed's token."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from app.subscriptions import service
from app.subscriptions.schemas import SubscriptionForm
from tests.subscriptions import helpers

A = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{A}{name}").text
    [self_link] = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link.get("href").startswith("http://testserver/feeds/")
    assert root.find(f"{A}author/{A}name").text
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(f"{A}{name}").text, name
        assert entry.find(f"{A}link").get("href").startswith("http://testserver/catalogue/")
        assert entry.find(f"{A}author/{A}name").text
    return root


def titles(root: ET.Element) -> list[str]:
    return [e.find(f"{A}title").text for e in root.findall(f"{A}entry")]


def test_the_public_feeds_list_published_initiatives_and_per_field(client, session, worker, people):
    energy = helpers.field(session, "industry_energy")
    helpers.publish(
        session,
        people.submitter,
        people.coordinator,
        title="Pin natri",
        field_id=energy.parent_id,
        subfield_id=energy.id,
    )
    helpers.publish(session, people.submitter, people.coordinator, title="Nuôi tôm tuần hoàn")
    gone = helpers.publish(session, people.submitter, people.coordinator, title="Bị gỡ")
    helpers.unpublish(session, gone, people.coordinator)
    helpers.submitted(session, people.submitter, title="Chưa công bố")

    assert sorted(titles(parse(client.get("/feeds/initiatives.atom")))) == [
        "Nuôi tôm tuần hoàn",
        "Pin natri",
    ]
    assert titles(parse(client.get("/feeds/fields/industry_energy.atom"))) == ["Pin natri"]
    assert titles(parse(client.get("/feeds/fields/industry_construction.atom"))) == ["Pin natri"]
    assert client.get("/feeds/fields/no_such_field.atom").status_code == 404


def test_feeds_answer_conditional_requests_with_304_until_something_changes(
    client, session, people
):
    helpers.publish(session, people.submitter, people.coordinator, title="Pin natri")
    first = client.get("/feeds/initiatives.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = client.get("/feeds/initiatives.atom", headers={"If-None-Match": etag})
    by_date = client.get("/feeds/initiatives.atom", headers={"If-Modified-Since": modified})
    assert (by_etag.status_code, by_etag.content, by_date.status_code) == (304, b"", 304)
    assert by_etag.headers["etag"] == etag

    helpers.publish(session, people.submitter, people.coordinator, title="Nuôi tôm tuần hoàn")
    changed = client.get("/feeds/initiatives.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_the_private_feed_of_a_saved_search_works_until_its_address_is_reset(
    client, session, worker, people
):
    sub = service.subscribe(
        session, people.investor, SubscriptionForm(kind="search", query="q=tom", channel="in_app")
    )
    session.commit()
    helpers.publish(session, people.submitter, people.coordinator, title="Nuôi tôm tuần hoàn")
    helpers.publish(session, people.submitter, people.coordinator, title="Pin natri")
    helpers.deliver_all(session, worker)

    old = f"/feeds/s/{sub.feed_token}.atom"
    assert titles(parse(client.get(old))) == ["Nuôi tôm tuần hoàn"]
    new_token = service.reset_feed_token(session, sub)
    session.commit()
    assert client.get(old).status_code == 404
    assert titles(parse(client.get(f"/feeds/s/{new_token}.atom"))) == ["Nuôi tôm tuần hoàn"]
