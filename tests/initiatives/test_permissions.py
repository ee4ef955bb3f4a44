"""The initiative's permission predicates, as a table of who may do what."""

from __future__ import annotations

from app.accounts.models import Role
from app.initiatives import permissions as perms
from tests import factories
from tests.initiatives import helpers

PREDICATES = (
    "is_submitter",
    "is_author",
    "is_editing_author",
    "can_edit",
    "can_submit",
    "can_screen",
    "can_withdraw",
    "can_mark_commercialising",
    "can_manage_access",
    "can_compare_versions",
)


def _table(item, people) -> dict[str, list[bool]]:
    return {name: [getattr(perms, name)(u, item) for u in people] for name in PREDICATES}


def test_who_may_do_what_on_a_draft_and_after_submission(session):
    submitter = factories.user(session)
    coauthor = factories.user(session)
    coordinator = factories.user(session, Role.coordinator)
    stranger = factories.user(session)
    people = (None, submitter, coauthor, coordinator, stranger)
    draft = helpers.initiative(session, submitter, coauthor=coauthor)
    assert _table(draft, people) == {
        "is_submitter": [False, True, False, False, False],
        "is_author": [False, True, True, False, False],
        "is_editing_author": [False, True, True, False, False],
        "can_edit": [False, True, True, False, False],
        "can_submit": [False, True, True, False, False],
        "can_screen": [False, False, False, True, False],
        "can_withdraw": [False, True, False, False, False],
        "can_mark_commercialising": [False, True, False, True, False],
        "can_manage_access": [False, True, False, False, False],
        "can_compare_versions": [False, True, True, True, False],
    }
    submitted = helpers.initiative(session, submitter, status="submitted", coauthor=coauthor)
    assert [perms.can_edit(u, submitted) for u in people] == [False] * 5


def test_a_coauthor_without_the_right_to_edit_is_an_author_only(session):
    submitter, coauthor = factories.user(session), factories.user(session)
    item = helpers.initiative(session, submitter, coauthor=coauthor)
    item.coauthors[1].can_edit = False
    assert (perms.is_author(coauthor, item), perms.can_edit(coauthor, item)) == (True, False)


def test_taxonomy_and_inbox(session):
    admin, coordinator = (
        factories.user(session, Role.admin),
        factories.user(session, Role.coordinator),
    )
    assert [perms.can_manage_taxonomy(u) for u in (None, coordinator, admin)] == [
        False,
        False,
        True,
    ]
    assert [perms.can_use_inbox(u) for u in (None, coordinator, admin)] == [False, True, True]
