"""Named permission predicates that later domains reuse."""

from __future__ import annotations

from app.accounts import permissions
from app.accounts.models import Role
from tests import factories


def test_predicates_follow_the_active_roles(session):
    submitter = factories.user(session)
    reviewer = factories.user(session, Role.reviewer)
    coordinator = factories.user(session, Role.coordinator)
    admin = factories.user(session, Role.admin)
    table = {
        name: [
            getattr(permissions, name)(u) for u in (None, submitter, reviewer, coordinator, admin)
        ]
        for name in (
            "is_signed_in",
            "can_submit",
            "is_reviewer",
            "is_coordinator",
            "is_admin",
            "can_manage_roles",
        )
    }
    assert table == {
        "is_signed_in": [False, True, True, True, True],
        "can_submit": [False, True, False, False, False],
        "is_reviewer": [False, False, True, False, False],
        "is_coordinator": [False, False, False, True, True],
        "is_admin": [False, False, False, False, True],
        "can_manage_roles": [False, False, False, False, True],
    }


def test_a_disabled_account_holds_no_role(session):
    admin = factories.user(session, Role.admin)
    admin.is_active = False
    assert (
        permissions.is_admin(admin),
        permissions.has_role(admin, Role.admin),
        permissions.is_signed_in(admin),
    ) == (False, False, False)


def test_a_revoked_role_no_longer_counts(session):
    admin = factories.user(session, Role.admin)
    person = factories.user(session, Role.reviewer)
    from app.accounts import service

    service.revoke_role(session, person, Role.reviewer, by=admin)
    assert permissions.is_reviewer(person) is False
