"""Who may manage an organisation's webhook endpoints: an approved member acting for it."""

from __future__ import annotations

from app.accounts.models import OrganisationType, Role
from app.webhooks import permissions as perms
from tests import factories


def test_only_an_approved_member_with_a_managing_role_manages_the_organisations_webhooks(session):
    company = factories.organisation(
        session, "Công ty Cổ phần Webhook", OrganisationType.enterprise
    )
    other = factories.organisation(session, "Công ty Khác", OrganisationType.enterprise)
    member = factories.user(session, Role.enterprise, organisation_id=company.id)
    waiting = factories.user(
        session, Role.enterprise, organisation_id=company.id, member="requested"
    )
    declared = factories.user(session, Role.investor, organisation_id=company.id, member=None)
    outsider = factories.user(session, Role.enterprise, organisation_id=other.id)
    scientist = factories.user(session, Role.submitter, organisation_id=company.id)
    people = (None, member, waiting, declared, outsider, scientist)
    assert [perms.can_manage_webhooks(u, company) for u in people] == [
        False, True, False, False, False, False,
    ]  # fmt: skip
    assert perms.can_manage_webhooks(member, None) is False
    assert [perms.can_use_webhooks(u) for u in people] == [
        False, True, False, False, True, False,
    ]  # fmt: skip

    member.is_active = False
    assert perms.can_manage_webhooks(member, company) is False
