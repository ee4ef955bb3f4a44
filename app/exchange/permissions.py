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
from app.exchange.models import ContactRequest, RequestStatus
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
