"""No content before the confidentiality undertaking; every confidential read is logged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import PermissionDenied
from app.initiatives import visibility
from app.initiatives.models import ConfidentialView
from app.reviews import invitations, reviewing, service
from tests.conftest import api_token, web_login
from tests.reviews import helpers as h


@pytest.fixture
def accepted(session):
    """A reviewer who accepted the invitation but not yet the undertaking."""
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = service.assign(session, boss, round, item, person)
    invitations.accept(session, person, row)
    session.commit()
    return person, item, row


def test_the_visibility_module_refuses_before_the_undertaking(session, app, accepted):
    person, item, _row = accepted
    assert visibility.can_view(session, person, item) is False
    with pytest.raises(PermissionDenied) as refused:
        reviewing.content_for_reviewer(session, person, _row)
    assert refused.value.code == "confidentiality-required"


def test_no_content_on_the_web_or_api_before_the_undertaking(client, session, accepted):
    person, item, row = accepted
    headers = api_token(client, person.email)
    answer = client.get(f"/api/v1/review-assignments/{row.id}/initiative", headers=headers)
    assert answer.status_code == 403 and item.solution not in answer.text
    web_login(client, person.email)
    page = client.get(f"/reviews/assignments/{row.id}/review", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].endswith("/confidentiality")
    invitation = client.get(f"/reviews/assignments/{row.id}")
    # The title and public summary are shown (to judge a conflict); the confidential sections not.
    assert item.title in invitation.text and item.solution not in invitation.text
    assert session.exec(select(ConfidentialView)).all() == []


def test_after_the_undertaking_each_read_is_logged_with_who_and_what(client, session, accepted):
    person, item, row = accepted
    headers = api_token(client, person.email)
    assert (
        client.post(
            f"/api/v1/review-assignments/{row.id}/confidentiality", headers=headers
        ).status_code
        == 200
    )
    answer = client.get(f"/api/v1/review-assignments/{row.id}/initiative", headers=headers)
    assert answer.status_code == 200 and answer.json()["solution"] == item.solution
    web_login(client, person.email)
    assert item.solution in client.get(f"/reviews/assignments/{row.id}/review").text
    views = session.exec(select(ConfidentialView).order_by(ConfidentialView.id)).all()
    assert [(v.user_id, v.initiative_id, v.what) for v in views] == [
        (person.id, item.id, f"review:{row.id}"),
        (person.id, item.id, f"review:{row.id}"),
    ]


def test_a_blind_round_hides_the_submitter_and_organisation(client, session):
    org = h.factories.organisation(session, "Viện Địa chất")
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(
        session, h.factories.user(session, organisation_id=org.id, full_name="Trần Thị Bình")
    )
    round = h.open_round(session, boss, [item], blind=True)
    row = h.cleared(session, round, item, person, boss)
    content = reviewing.content_for_reviewer(session, person, row)
    assert {"authors", "organisation", "organisation_id", "coauthors", "submitter_id"} & set(
        content
    ) == set()
    session.commit()  # the view log written above; SQLite has one writer at a time
    web_login(client, person.email)
    page = client.get(f"/reviews/assignments/{row.id}/review").text
    assert "Trần Thị Bình" not in page and "Viện Địa chất" not in page


def test_a_blind_round_hides_the_submitter_on_the_initiatives_own_page_and_api(client, session):
    org = h.factories.organisation(session, "Viện Địa chất")
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(
        session, h.factories.user(session, organisation_id=org.id, full_name="Trần Thị Bình")
    )
    round = h.open_round(session, boss, [item], blind=True)
    h.cleared(session, round, item, person, boss)
    headers = api_token(client, person.email)
    web_login(client, person.email)
    page = client.get(f"/initiatives/{item.id}")
    assert page.status_code == 200 and item.solution in page.text
    assert "Trần Thị Bình" not in page.text and "Viện Địa chất" not in page.text
    body = client.get(f"/api/v1/initiatives/{item.id}", headers=headers).json()
    assert body["solution"] == item.solution
    assert {"authors", "organisation", "organisation_id", "coauthors", "submitter_id"} & set(
        body
    ) == set()


def test_an_open_round_shows_authors_but_never_their_contact_details(session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item], blind=False)
    row = h.cleared(session, round, item, person, boss)
    content = reviewing.content_for_reviewer(session, person, row)
    assert content["authors"] == [{"full_name": "Trần Thị Bình", "organisation_name": None}]
    assert "coauthors" not in content
