"""Who sees what, for each role and each state: the service, the page, the API and downloads.

Sections a role may not see are absent from the API answer (not empty) and
absent from the page; an initiative a role may not see at all is a 404.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.initiatives import visibility
from app.initiatives.models import Attachment, ConfidentialView, Initiative
from app.initiatives.workflow import Status
from app.storage import get_storage
from tests.conftest import api_token
from tests.initiatives import helpers
from tests.statements import statements

FULL, PUBLIC, NOTHING = "full", "public", "nothing"
ROLES = ("anonymous", "other", "coauthor", "reviewer", "coordinator", "admin", "submitter")
PUBLISHED = {Status.published, Status.commercialising}


def expected(role: str, state: Status) -> str:
    if role in ("submitter", "coauthor"):
        return FULL
    if state == Status.draft:
        return NOTHING
    if role in ("coordinator", "admin"):
        return FULL
    return PUBLIC if state in PUBLISHED else NOTHING


PUBLIC_KEYS = {
    "id",
    "status",
    "title",
    "summary",
    "problem",
    "impact",
    "field_id",
    "subfield_id",
    "field",
    "subfield",
    "keywords",
    "trl",
    "province",
    "ip_status",
    "ip_number",
    "organisation_id",
    "organisation",
    "authors",
    "resources_wanted",
    "resources_note",
    "submitted_at",
    "published_at",
}
FULL_KEYS = PUBLIC_KEYS | {
    "solution",
    "novelty",
    "feasibility",
    "attachments",
    "receipt_code",
    "fingerprint",
    "submitter_id",
    "coauthors",
    "created_at",
    "updated_at",
    "stage_entered_at",
}


def _store(session, item, user, data: bytes, *, confidential: bool) -> Attachment:
    writer = get_storage().writer()
    writer.write(data)
    key = writer.commit()
    row = Attachment(
        initiative_id=item.id,
        storage_key=key,
        filename="ban-mo-ta.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
        uploaded_by_id=user.id,
        confidential=confidential,
    )
    session.add(row)
    session.commit()
    session.refresh(item, ["attachments"])
    return row


@pytest.fixture
def world(session, client):
    cast = helpers.cast(session)
    tokens = {
        role: api_token(client, getattr(cast, role).email) for role in ROLES if role != "anonymous"
    }
    tokens["anonymous"] = {}
    return cast, tokens


@pytest.mark.parametrize("state", list(Status))
def test_the_service_view_omits_what_each_role_may_not_see(session, state):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=state, coauthor=cast.coauthor)
    for role in ROLES:
        user = getattr(cast, role, None)
        view = visibility.visible_view(session, user, item)
        assert (
            set(view)
            == {FULL: FULL_KEYS, PUBLIC: PUBLIC_KEYS, NOTHING: set()}[expected(role, state)]
        ), role


@pytest.mark.parametrize("state", list(Status))
def test_the_api_and_the_page_show_each_role_only_its_share(client, session, world, state):
    cast, tokens = world
    item = helpers.initiative(session, cast.submitter, status=state, coauthor=cast.coauthor)
    secret = helpers.CONTENT["solution"]
    for role in ROLES:
        api = client.get(f"/api/v1/initiatives/{item.id}", headers=tokens[role])
        page = client.get(f"/initiatives/{item.id}", headers=tokens[role])
        share = expected(role, state)
        if share == NOTHING:
            assert (api.status_code, page.status_code) == (404, 404), role
            assert secret not in page.text and helpers.CONTENT["title"] not in page.text
            continue
        assert (api.status_code, page.status_code) == (200, 200), role
        assert set(api.json()) == (FULL_KEYS if share == FULL else PUBLIC_KEYS), role
        assert helpers.CONTENT["title"] in page.text
        assert (secret in page.text) == (share == FULL), role


@pytest.mark.parametrize(
    "state", [Status.draft, Status.in_review, Status.published, Status.unpublished]
)
def test_downloads_follow_the_same_rules(client, session, world, state):
    cast, tokens = world
    item = helpers.initiative(session, cast.submitter, status=state, coauthor=cast.coauthor)
    secret = _store(session, item, cast.submitter, b"%PDF-1.4 bi mat", confidential=True)
    shown = _store(session, item, cast.submitter, b"%PDF-1.4 cong khai", confidential=False)
    for role in ROLES:
        share = expected(role, state)
        got_secret = client.get(
            f"/api/v1/initiatives/{item.id}/attachments/{secret.id}", headers=tokens[role]
        )
        got_shown = client.get(
            f"/initiatives/{item.id}/attachments/{shown.id}", headers=tokens[role]
        )
        assert got_secret.status_code == (200 if share == FULL else 404), role
        assert got_shown.status_code == (404 if share == NOTHING else 200), role
        if share == FULL:
            assert got_secret.content == b"%PDF-1.4 bi mat"
        listed = client.get(f"/api/v1/initiatives/{item.id}/attachments", headers=tokens[role])
        if share != NOTHING:
            assert [a["id"] for a in listed.json()] == (
                [secret.id, shown.id] if share == FULL else [shown.id]
            )


def test_an_access_grant_opens_the_confidential_sections_after_publication(client, session, world):
    cast, tokens = world
    item = helpers.initiative(session, cast.submitter, status=Status.published)
    granted = client.post(
        f"/api/v1/initiatives/{item.id}/access",
        json={"email": cast.other.email},
        headers=tokens["submitter"],
    )
    assert granted.status_code == 201
    assert (
        set(client.get(f"/api/v1/initiatives/{item.id}", headers=tokens["other"]).json())
        == FULL_KEYS
    )
    assert (
        client.delete(
            f"/api/v1/initiatives/{item.id}/access/{cast.other.id}", headers=tokens["submitter"]
        ).status_code
        == 204
    )
    assert (
        set(client.get(f"/api/v1/initiatives/{item.id}", headers=tokens["other"]).json())
        == PUBLIC_KEYS
    )


def test_only_the_submitter_grants_access(client, session, world):
    cast, tokens = world
    item = helpers.initiative(
        session, cast.submitter, status=Status.published, coauthor=cast.coauthor
    )
    refused = client.post(
        f"/api/v1/initiatives/{item.id}/access",
        json={"email": cast.other.email},
        headers=tokens["coauthor"],
    )
    assert refused.status_code == 403


def test_a_registered_reader_rule_opens_pre_publication_states_but_never_drafts(session):
    cast = helpers.cast(session)

    def assigned_reviewer(session, user, initiative):
        return user.id == cast.reviewer.id

    visibility.register_reader(assigned_reviewer)
    try:
        for state, share in [
            (Status.draft, set()),
            (Status.in_review, FULL_KEYS),
            (Status.published, PUBLIC_KEYS),
        ]:
            item = helpers.initiative(session, cast.submitter, status=state)
            assert set(visibility.visible_view(session, cast.reviewer, item)) == share, state
    finally:
        visibility._readers.remove(assigned_reviewer)


def test_confidential_reads_by_others_are_logged_and_shown_to_the_submitter(client, session, world):
    cast, tokens = world
    item = helpers.initiative(session, cast.submitter, status=Status.screening)
    client.get(f"/api/v1/initiatives/{item.id}", headers=tokens["submitter"])
    client.get(f"/api/v1/initiatives/{item.id}", headers=tokens["coordinator"])
    log = client.get(f"/api/v1/initiatives/{item.id}/views", headers=tokens["submitter"]).json()
    assert [(v["user_id"], v["what"]) for v in log] == [(cast.coordinator.id, "sections")]
    assert len(session.exec(select(ConfidentialView)).all()) == 1
    page = client.get(f"/initiatives/{item.id}", headers=tokens["submitter"])
    assert cast.coordinator.full_name in page.text


def test_a_status_is_read_once_per_transaction_and_again_after_a_flush(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.published)
    session.commit()
    with statements() as sent:
        row = visibility.read_status(session, item.id, Initiative.updated_at)
        assert visibility.status_of(session, item.id) == Status.published
    assert row == (Status.published, item.updated_at)
    assert len(sent) == 1
    item.status = Status.unpublished  # as a transition does, in the same transaction
    session.add(item)
    session.flush()
    with statements() as sent:
        assert visibility.status_of(session, item.id) == Status.unpublished
        assert visibility.status_of(session, item.id) == Status.unpublished
        assert visibility.status_of(session, item.id + 1000) is None
        assert visibility.status_of(session, item.id + 1000) is None
    assert len(sent) == 2
    session.commit()  # a new transaction believes nothing read in the last one
    with statements() as sent:
        assert visibility.status_of(session, item.id) == Status.unpublished
    assert len(sent) == 1
