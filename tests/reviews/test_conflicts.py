"""Conflict detection cases, and a conflicted reviewer refused at every entry point."""

from __future__ import annotations

import pytest

from app.accounts.models import OrganisationType, Role
from app.errors import Conflict
from app.initiatives.models import CoAuthor
from app.reviews import conflicts, invitations, service
from app.reviews.models import Assignment
from tests import factories
from tests.conftest import api_token, csrf_of, web_login
from tests.reviews import helpers as h


def test_no_conflict_for_an_unrelated_reviewer(session):
    assert conflicts.detect(session, h.reviewer(session), h.screened(session)) == []


def test_the_submitter_is_conflicted(session):
    person = factories.user(session, Role.submitter, Role.reviewer)
    assert conflicts.detect(session, person, h.screened(session, person)) == ["submitter"]


def test_a_coauthor_is_conflicted(session):
    person = h.reviewer(session)
    item = h.initiatives.initiative(
        session, factories.user(session), status="screening", coauthor=person
    )
    assert conflicts.detect(session, person, item) == ["coauthor"]


def test_a_coauthor_named_only_by_email_is_conflicted(session):
    person = h.reviewer(session)
    item = h.screened(session)
    item.coauthors.append(
        CoAuthor(full_name="Chuyên Gia", email=person.email, share_percent=0, position=1)
    )
    session.commit()
    assert conflicts.detect(session, person, item) == ["coauthor"]


def test_same_organisation_as_the_initiative_is_conflicted(session):
    org = factories.organisation(session, "Viện Cơ học")
    submitter = factories.user(session, organisation_id=org.id)
    person = h.reviewer(session, organisation_id=org.id)
    assert conflicts.detect(session, person, h.screened(session, submitter)) == [
        "same_organisation"
    ]


def test_same_organisation_as_a_coauthor_by_name_is_conflicted(session):
    org = factories.organisation(
        session, "Trường Đại học Bách khoa Hà Nội", type=OrganisationType.university
    )
    person = h.reviewer(session, organisation_id=org.id)
    item = h.screened(session)
    item.coauthors.append(
        CoAuthor(
            full_name="Lê Văn Cường",
            organisation_name="truong dai hoc bach khoa ha noi",
            share_percent=0,
            position=1,
        )
    )
    session.commit()
    assert conflicts.detect(session, person, item) == ["same_organisation"]


def test_previous_coauthorship_on_the_portal_is_conflicted(session):
    person = factories.user(session, Role.submitter, Role.reviewer)
    author = factories.user(session)
    h.initiatives.initiative(
        session, person, status="published", coauthor=author
    )  # together before
    item = h.screened(session, author)
    assert conflicts.detect(session, person, item) == ["previous_coauthorship"]


def test_a_declared_conflict_is_kept(session):
    person, item = h.reviewer(session), h.screened(session)
    conflicts.declare(session, person, item, "Người thân của tác giả")
    session.commit()
    assert conflicts.detect(session, person, item) == ["declared"]


@pytest.fixture
def conflicted(session):
    """A round with an initiative whose co-author is also a reviewer."""
    boss = h.coordinator(session)
    person = h.reviewer(session)
    item = h.initiatives.initiative(
        session, factories.user(session), status="screening", coauthor=person
    )
    round = h.open_round(session, boss, [item])
    return boss, person, item, round


def test_manual_assignment_of_a_conflicted_reviewer_is_refused(session, conflicted):
    boss, person, item, round = conflicted
    with pytest.raises(Conflict) as refused:
        service.assign(session, boss, round, item, person)
    assert refused.value.code == "conflict-of-interest"


def test_automatic_assignment_skips_a_conflicted_reviewer(session, conflicted):
    boss, _person, item, round = conflicted
    result = service.auto_assign(session, boss, round)
    assert result.created == [] and result.under_covered == {item.id: 3}


def test_web_and_api_assignment_of_a_conflicted_reviewer_are_refused(client, session, conflicted):
    boss, person, item, round = conflicted
    headers = api_token(client, boss.email)
    answer = client.post(
        f"/api/v1/review-rounds/{round.id}/assignments",
        headers=headers,
        json={"initiative_id": item.id, "reviewer_id": person.id},
    )
    assert answer.status_code == 409 and answer.json()["conflicts"] == ["coauthor"]
    web_login(client, boss.email)
    page = client.get(f"/reviews/rounds/{round.id}/items/{item.id}/assign")
    assert "chuyên gia là đồng tác giả" in page.text and "Không thể phân công" in page.text
    token = csrf_of(page.text)
    refused = client.post(
        f"/reviews/rounds/{round.id}/items/{item.id}/assign",
        data={"reviewer_id": person.id, "csrf_token": token},
    )
    assert refused.status_code == 409


def test_a_reviewer_who_becomes_conflicted_cannot_accept_or_read(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    second = h.screened_in(session, boss, round)
    pending = service.assign(session, boss, round, second, person)
    session.commit()
    conflicts.declare(session, person, item, "Phát hiện sau", by=boss)
    conflicts.declare(session, person, second, "Phát hiện sau", by=boss)
    session.commit()
    with pytest.raises(Conflict):
        invitations.accept(session, person, pending)
    headers = api_token(client, person.email)
    assert (
        client.get(f"/api/v1/review-assignments/{row.id}/initiative", headers=headers).status_code
        == 403
    )
    web_login(client, person.email)
    assert client.get(f"/reviews/assignments/{row.id}/review").status_code == 403
    accept = client.post(
        f"/api/v1/review-assignments/{pending.id}/accept",
        headers=headers,
        json={"declare_no_conflict": True},
    )
    assert accept.status_code == 409
    assert session.get(Assignment, pending.id).status == "invited"
