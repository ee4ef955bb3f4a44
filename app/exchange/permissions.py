"""Who may ask for contact, see a request, answer it, withdraw it, and see the other side's email.

Decision on who may ask: people whose role is to take initiatives further —
enterprises (and agencies), investors and funds, intermediaries (PORTAL.md,
"Who uses it"). A plain submitter, a reviewer or a coordinator may not: a
reviewer asking the authors for contact would undermine the confidentiality of
the evaluation, and coordinators already read every initiative. Nobody asks
about their own initiative, and only published (or commercialising)
initiatives can be asked about: before publication nobody outside the
process may know they exist.

The authors (the submitter and co-authors with an account) see and answer the
requests; only the submitter may open the confidential sections, as for any
other access grant.
"""

from __future__ import annotations

from app.accounts import permissions as accounts
from app.accounts.models import Role, User
from app.exchange.models import (
    ContactRequest,
    Deal,
    DealFacilitator,
    FacilitatorStatus,
    RequestStatus,
    Side,
)
from app.initiatives import permissions as initiative_perms
from app.initiatives.models import Initiative
from app.initiatives.visibility import is_public

REQUESTER_ROLES = frozenset({Role.enterprise, Role.investor, Role.intermediary})


def can_request_contact(user: User | None) -> bool:
    """Has a role that asks authors for contact (the "my contact requests" page is theirs)."""
    return accounts.is_signed_in(user) and bool(user.roles & REQUESTER_ROLES)


def can_request_contact_on(user: User | None, initiative: Initiative) -> bool:
    return (
        can_request_contact(user)
        and is_public(initiative)
        and not initiative_perms.is_author(user, initiative)
    )


def can_receive_requests(user: User | None) -> bool:
    """Submitters get a "received contact requests" page (co-authors reach it by the notice's link)."""
    return accounts.has_role(user, Role.submitter)


def is_requester(user: User | None, request: ContactRequest) -> bool:
    return accounts.is_signed_in(user) and request.requester_id == user.id


def can_see_request(user: User | None, request: ContactRequest, initiative: Initiative) -> bool:
    return is_requester(user, request) or initiative_perms.is_author(user, initiative)


def can_answer(user: User | None, request: ContactRequest, initiative: Initiative) -> bool:
    """The authors accept or refuse, while the request is pending."""
    return request.status == RequestStatus.pending and initiative_perms.is_author(user, initiative)


def can_grant_confidential(user: User | None, initiative: Initiative) -> bool:
    """Opening the confidential sections is the submitter's decision alone (as on the initiative page)."""
    return initiative_perms.can_manage_access(user, initiative)


def can_withdraw(user: User | None, request: ContactRequest) -> bool:
    return request.status == RequestStatus.pending and is_requester(user, request)


def can_see_contact(user: User | None, request: ContactRequest, initiative: Initiative) -> bool:
    """Emails are exchanged only once the authors accept; never before, never to anyone else."""
    return request.status == RequestStatus.accepted and can_see_request(user, request, initiative)


# -- deals ---------------------------------------------------------------------
# The two sides: the initiative's authors (submitter and linked co-authors) and whoever may act
# in the counterparty organisation's name (`acts_for`, the one test of that). Coordinators read
# every deal but take no step in it: a deal is the parties' business.
def on_initiative_side(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    return initiative_perms.is_author(user, initiative)


def on_counterparty_side(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    return accounts.acts_for(user, deal.organisation_id) and not initiative_perms.is_author(
        user, initiative
    )


def side_of(user: User | None, deal: Deal, initiative: Initiative) -> Side | None:
    if on_initiative_side(user, deal, initiative):
        return Side.initiative
    if on_counterparty_side(user, deal, initiative):
        return Side.counterparty
    return None


def is_party(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    return side_of(user, deal, initiative) is not None


def can_see_deal(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    """The parties and coordinators; nobody else learns that a deal exists."""
    return is_party(user, deal, initiative) or accounts.is_coordinator(user)


def is_facilitator(user: User | None, active: list[DealFacilitator]) -> bool:
    """Acts for an intermediary organisation both parties accepted as the deal's facilitator."""
    return any(accounts.acts_for(user, f.organisation_id) for f in active)


def can_consent_to_facilitator(
    user: User | None, deal: Deal, initiative: Initiative, facilitator: DealFacilitator
) -> bool:
    """A party whose side has not consented yet, while the request waits."""
    side = side_of(user, deal, initiative)
    if side is None or facilitator.status != FacilitatorStatus.requested:
        return False
    if side == Side.initiative:
        return facilitator.initiative_consent_at is None
    return facilitator.counterparty_consent_at is None


def can_remove_facilitator(
    user: User | None, deal: Deal, initiative: Initiative, facilitator: DealFacilitator
) -> bool:
    """Either party withdraws its consent at any time: the facilitator leaves the deal."""
    return is_party(user, deal, initiative) and facilitator.status != FacilitatorStatus.removed


def can_record_agreement(user: User | None, deal: Deal, initiative: Initiative) -> bool:
    """The submitter signs for the initiative's side, and may move it to `commercialising`."""
    return initiative_perms.is_submitter(user, initiative)


def can_open_deal_directly(user: User | None, initiative: Initiative) -> bool:
    """Someone acting for an organisation starts a deal on a public initiative they do not author."""
    return (
        user is not None
        and accounts.acts_for(user, user.organisation_id)
        and is_public(initiative)
        and not initiative_perms.is_author(user, initiative)
    )


def can_manage_templates(user: User | None) -> bool:
    return accounts.is_coordinator(user)


def can_change_nda_setting(user: User | None, initiative: Initiative) -> bool:
    return initiative_perms.can_manage_access(user, initiative)
