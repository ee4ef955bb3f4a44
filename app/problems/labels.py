"""Names of a problem's coded values in the reader's language: funding mode, IP terms, scope,
decline reasons, proposal stages, the listing's facets and budget bands.

The one place for these labels: the form, the problem page, the listing's facets, the API and
the mails all use them. Functions, not constants: the text is translated when a page is
rendered. (Problem stages: `workflow.status_label`; organisation types: `app.accounts.labels`.)
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.accounts.labels import organisation_type_label
from app.catalogue.service import field_label
from app.i18n import _
from app.problems.models import DeclineReason, FundingMode, IpTerms, ProposalStatus, Scope
from app.problems.workflow import status_label


def funding_labels() -> dict[str, str]:
    return {
        FundingMode.state_order: _("State order"),
        FundingMode.enterprise_led: _("Enterprise-led, enterprise pays at least 50 %"),
        FundingMode.state_led: _("State-led, at least 20 % counterpart funding"),
        FundingMode.prize: _("Prize"),
    }


def funding_label(mode: str) -> str:
    return funding_labels().get(mode, mode)


def ip_labels() -> dict[str, str]:
    return {
        IpTerms.owner: _("Results belong to the problem owner"),
        IpTerms.solver: _("Results belong to the solver"),
        IpTerms.shared: _("Results are shared"),
        IpTerms.negotiable: _("Negotiable"),
    }


def ip_label(terms: str) -> str:
    return ip_labels().get(terms, terms)


def scope_labels() -> dict[str, str]:
    return {
        Scope.national: _("National"),
        Scope.provinces: _("Provinces"),
        Scope.sector: _("Sector"),
    }


def scope_label(scope: str) -> str:
    return scope_labels().get(scope, scope)


def decline_labels() -> dict[str, str]:
    return {
        DeclineReason.too_early: _("Too early for this problem"),
        DeclineReason.benefit_unclear: _("Benefit over existing solutions unclear"),
        DeclineReason.commercial_route_unclear: _("Commercial route unclear"),
        DeclineReason.description_unclear: _("Description unclear"),
        DeclineReason.out_of_scope: _("Out of scope"),
        DeclineReason.other: _("Other reason"),
    }


def decline_label(reason: str | None) -> str:
    return decline_labels().get(reason or "", reason or "")


def proposal_status_labels() -> dict[str, str]:
    return {
        ProposalStatus.submitted: _("Received"),
        ProposalStatus.shortlisted: _("Shortlisted"),
        ProposalStatus.declined: _("Declined"),
        ProposalStatus.awarded: _("Awarded"),
        ProposalStatus.withdrawn: _("Withdrawn"),
    }


def proposal_status_label(status: str) -> str:
    return proposal_status_labels().get(status, status)


def budget_labels() -> dict[str, str]:
    """The listing's budget bands (`service.BUDGET_BANDS`)."""
    return {
        "under_1b": _("Under 1 billion"),
        "1b_5b": _("1 to 5 billion"),
        "over_5b": _("Over 5 billion"),
    }


def deadline_labels() -> dict[str, str]:
    """The listing's deadline bands (`service.DEADLINE_BANDS`)."""
    return {
        "week": _("Closes within 7 days"),
        "month": _("Closes in 8 to 30 days"),
        "quarter": _("Closes in 31 to 90 days"),
        "later": _("Closes in more than 90 days"),
        "passed": _("Deadline passed"),
    }


def facet_titles() -> dict[str, str]:
    return {
        "status": _("Stage"),
        "funding_mode": _("Funding mode"),
        "field": _("Field"),
        "scope": _("Scope"),
        "province": _("Provinces"),
        "trl": _("Target technology readiness level (TRL)"),
        "budget": _("Budget (VND)"),
        "deadline": _("Deadline for proposals"),
        "owner_type": _("Posted by"),
    }


def facet_labeller(session: Session) -> Callable[[str, str], str]:
    """A facet value's name in the reader's language (provinces are shown as they are)."""

    def label(name: str, value: str) -> str:
        if name == "status":
            return status_label(value)
        if name == "funding_mode":
            return funding_label(value)
        if name == "scope":
            return scope_label(value)
        if name == "budget":
            return budget_labels().get(value, value)
        if name == "deadline":
            return deadline_labels().get(value, value)
        if name == "field":
            return field_label(session, value, value)
        if name == "owner_type":
            if value == "national":
                return _("The ministry (national order)")
            return organisation_type_label(value)
        if name == "trl":
            return _("TRL %(n)s", n=value)
        return value

    return label


def all_labels() -> dict[str, object]:
    """The label functions templates use, by the names the templates call them."""
    return {
        "status_label": status_label,
        "funding_label": funding_label,
        "ip_label": ip_label,
        "scope_label": scope_label,
        "decline_label": decline_label,
        "proposal_status_label": proposal_status_label,
    }
