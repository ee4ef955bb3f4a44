"""Publication: agreed summary, certificate numbering and seal, events queued, unpublishing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.errors import Conflict, PermissionDenied
from app.outbox.models import OutboxEvent
from app.publication import service
from tests.conftest import api_token
from tests.reviews import helpers as h


@pytest.fixture
def selected(session):
    boss = h.coordinator(session)
    item = h.initiatives.initiative(
        session,
        h.factories.user(session, full_name="Trần Thị Bình"),
        status="selected",
        fingerprint="ab" * 32,
    )
    return boss, item


def test_publishing_issues_a_numbered_sealed_certificate_and_queues_the_events(session, selected):
    boss, item = selected
    certificate = service.publish(session, boss, item)
    session.commit()
    year = certificate.issued_at.year
    assert certificate.number == f"CN-{year}-000001"
    assert (certificate.title, certificate.content_fingerprint) == (item.title, "ab" * 32)
    assert certificate.authors == [
        {"name": "Trần Thị Bình", "share_percent": 100.0, "organisation": None}
    ]
    assert certificate.seal == service.seal_of(certificate) and item.status == "published"
    topics = {e.topic for e in session.exec(select(OutboxEvent))}
    assert {"initiative.published", "initiative.transitioned"} <= topics


def test_numbers_follow_each_other(session, selected):
    boss, item = selected
    other = h.initiatives.initiative(session, h.factories.user(session), status="selected")
    first, second = service.publish(session, boss, item), service.publish(session, boss, other)
    assert [first.number[-6:], second.number[-6:]] == ["000001", "000002"]


def test_an_accepted_summary_is_published(session, selected):
    boss, item = selected
    submitter = session.get(User, item.submitter_id)
    proposal = service.propose_summary(session, boss, item, "Tóm tắt đã biên tập cho công chúng.")
    with pytest.raises(PermissionDenied):
        service.respond(session, boss, proposal, accept=True)
    service.respond(session, submitter, proposal, accept=True)
    service.publish(session, boss, item)
    assert (item.summary, proposal.status) == ("Tóm tắt đã biên tập cho công chúng.", "applied")


def test_a_refused_summary_is_not_published(session, selected):
    boss, item = selected
    original = item.summary
    proposal = service.propose_summary(session, boss, item, "Bản khác.")
    service.respond(session, session.get(User, item.submitter_id), proposal, accept=False)
    service.publish(session, boss, item)
    assert item.summary == original


def test_only_a_selected_initiative_is_published(session):
    boss = h.coordinator(session)
    item = h.screened(session)
    with pytest.raises(Conflict):
        service.publish(session, boss, item)


def test_unpublishing_revokes_the_certificate_which_stays_verifiable(client, session, selected):
    boss, item = selected
    certificate = service.publish(session, boss, item)
    session.commit()
    service.unpublish(session, boss, item, "Phát hiện trùng lặp.")
    session.commit()
    answer = client.get(f"/api/v1/certificates/{certificate.number}")
    assert answer.status_code == 200
    body = answer.json()
    # Only that it was revoked, and when: nothing of the no longer public initiative.
    assert (body["valid"], body["revoked_reason"], body["title"], body["authors"]) == (
        False,
        None,
        None,
        [],
    )
    assert body["revoked_at"] is not None and body["seal"] is None
    page = client.get(f"/certificates/{certificate.number}")
    assert page.status_code == 200 and "đã bị thu hồi" in page.text
    assert item.title not in page.text and "Trần Thị Bình" not in page.text
    assert "Phát hiện trùng lặp." not in page.text
    assert item.status == "unpublished"


def test_the_public_verification_page_and_api(client, session, selected):
    boss, item = selected
    certificate = service.publish(session, boss, item)
    session.commit()
    page = client.get(f"/certificates/{certificate.number}")
    assert page.status_code == 200 and "Hợp lệ" in page.text and certificate.seal in page.text
    data = client.get(f"/api/v1/certificates/{certificate.number.lower()}").json()
    assert (data["number"], data["valid"], data["title"]) == (certificate.number, True, item.title)
    assert client.get("/api/v1/certificates/CN-1999-000009").status_code == 404


def test_a_tampered_certificate_does_not_verify(client, session, selected):
    boss, item = selected
    certificate = service.publish(session, boss, item)
    session.commit()
    certificate.title = "Tên khác"
    session.commit()
    assert client.get(f"/api/v1/certificates/{certificate.number}").json()["valid"] is False
    assert "Không hợp lệ" in client.get(f"/certificates/{certificate.number}").text


def test_publishing_through_the_api_needs_a_coordinator(client, session, selected):
    boss, item = selected
    submitter_headers = api_token(client, session.get(User, item.submitter_id).email)
    assert (
        client.post(
            f"/api/v1/initiatives/{item.id}/publication", headers=submitter_headers
        ).status_code
        == 403
    )
    answer = client.post(
        f"/api/v1/initiatives/{item.id}/publication", headers=api_token(client, boss.email)
    )
    assert answer.status_code == 201 and answer.json()["valid"] is True
