"""Names of roles and organisation types in the reader's language, for pages and mails.

Functions, not constants: the text is translated when a page is rendered.
"""

from __future__ import annotations

from app.accounts.models import MembershipState, OrganisationType, Role
from app.i18n import _


def role_labels() -> dict[str, str]:
    return {
        Role.submitter: _("Submitter"),
        Role.reviewer: _("Reviewer"),
        Role.coordinator: _("Coordinator"),
        Role.enterprise: _("Enterprise"),
        Role.investor: _("Investor"),
        Role.intermediary: _("Intermediary"),
        Role.agency: _("State agency"),
        Role.admin: _("Administrator"),
    }


def organisation_type_labels() -> dict[str, str]:
    return {
        OrganisationType.university: _("University"),
        OrganisationType.research_institute: _("Research institute"),
        OrganisationType.enterprise: _("Enterprise"),
        OrganisationType.state_agency: _("State agency"),
        OrganisationType.investment_fund: _("Investment fund"),
        OrganisationType.intermediary: _("Intermediary organisation"),
        OrganisationType.individual: _("Individual"),
    }


def role_label(role: str) -> str:
    return role_labels().get(role, role)


def organisation_type_label(kind: str) -> str:
    return organisation_type_labels().get(kind, kind)


def membership_state_label(state: str) -> str:
    labels: dict[str, str] = {
        MembershipState.requested: _("Waiting for approval"),
        MembershipState.approved: _("Approved member"),
        MembershipState.removed: _("Membership ended"),
    }
    return labels.get(state, state)
