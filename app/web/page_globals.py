"""Every template global of the pages, registered here and nowhere else.

Two kinds:

- `install(env)`: functions that need no request (labels in the reader's
  language), added once to the Jinja environment, so pages and mails rendered
  by the worker see the same names whatever modules were imported;
- `page_context(request)`: what depends on the visitor (the header's unread
  count, the exchange blocks). Everything it reads goes through the request's
  own session (`app.db.request_session`), never a second connection.

Imports are inside the functions: the domains import `app.web.templating`,
so this module is loaded on first render, after them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from fastapi import Request


def install(env: jinja2.Environment) -> None:
    from app.accounts.labels import (
        membership_state_label,
        organisation_type_label,
        role_label,
    )
    from app.config import get_settings
    from app.exchange import service as exchange
    from app.matching.service import closeness_words

    env.globals.update(
        site_url=lambda: get_settings().base_url.rstrip("/"),  # printed addresses, e.g. to verify
        closeness_words=closeness_words,
        role_label=role_label,
        organisation_type_label=organisation_type_label,
        membership_state_label=membership_state_label,
        contact_purpose_label=exchange.purpose_label,
        contact_purpose_options=exchange.purpose_options,
        contact_status_label=exchange.status_label,
    )


def page_context(request: Request) -> dict[str, Any]:

    from app.catalogue import service as catalogue
    from app.db import request_session
    from app.exchange import service as exchange
    from app.initiatives.models import Initiative
    from app.notifications import service as notifications

    user = getattr(request.state, "user", None)

    def panel(initiative_id: int) -> dict[str, Any]:
        with request_session(request) as session:
            return exchange.panel(session, user, initiative_id)

    def received(initiative_id: int) -> list[dict[str, Any]]:
        if user is None:
            return []
        with request_session(request) as session:
            initiative = session.get(Initiative, initiative_id)
            if initiative is None:
                return []
            return [
                exchange.describe(session, user, r)
                for r in exchange.received(session, user, initiative)
            ]

    labellers: list[Callable[[str | None, str], str]] = []  # made at the page's first call

    def field_name(code: str | None, fallback: str | None = None) -> str:
        """A field's name in the reader's language (search documents hold it in Vietnamese)."""
        if not labellers:
            with request_session(request) as session:
                labellers.append(catalogue.field_labeller(session))
        return labellers[0](code, fallback or code or "")

    def submitter_assurance(initiative_id: int) -> dict[str, Any] | None:
        """For coordinators: the submitter's national e-ID assurance level and identifier
        claims from their last sign-in ({} when never signed in with the e-ID)."""
        from app.accounts import oidc
        from app.accounts.models import User
        from app.accounts.permissions import is_coordinator

        if not is_coordinator(user):
            return None
        with request_session(request) as session:
            initiative = session.get(Initiative, initiative_id)
            submitter = session.get(User, initiative.submitter_id) if initiative else None
            identity = oidc.assurance(session, submitter) if submitter else None
            if identity is None:
                return {}
            return {"acr": identity.acr, "claims": identity.claims or {}}

    def proposal_deal(proposal_id: int) -> dict[str, Any]:
        """The deal an awarded proposal became (if the visitor may see it), or may become."""
        from app.exchange import deal_opening
        from app.exchange.deal_queries import can_see
        from app.problems.models import Problem, Proposal

        with request_session(request) as session:
            proposal = session.get(Proposal, proposal_id)
            if proposal is None:
                return {}
            problem = session.get_one(Problem, proposal.problem_id)
            deal = deal_opening.deal_of_proposal(session, proposal_id)
            return {
                "deal_id": deal.id if deal and can_see(session, user, deal) else None,
                "can_open": (deal is None or deal.stage in ("abandoned",))
                and deal_opening.can_open_from_proposal(user, proposal, problem),
            }

    ctx: dict[str, Any] = {
        "field_name": field_name,
        "submitter_assurance": submitter_assurance,
        "exchange_panel": panel,
        "exchange_proposal_deal": proposal_deal,
        "exchange_received": received,
        "catalogue_similar": lambda initiative_id: catalogue.similar(None, initiative_id),
        **matching_globals(request, user),
    }
    if user is not None:
        with request_session(request) as session:
            ctx["unread_count"] = notifications.unread_count(session, user)
    return ctx


def matching_globals(request: Request, user: Any) -> dict[str, Any]:
    """The matching panels (`templates/matching/_*.html`): each returns nothing to a visitor
    who may not see it, so a page only adds an include."""
    from app.db import request_session
    from app.initiatives.models import Initiative
    from app.matching import permissions as perms
    from app.matching import recommend
    from app.problems.models import Problem

    def for_problem(problem_id: int) -> dict[str, Any] | None:
        with request_session(request) as session:
            problem = session.get(Problem, problem_id)
            if problem is None or not perms.can_see_problem_matches(user, problem):
                return None
            same_field = request.query_params.get("same_field") == "1"
            return {
                "same_field": same_field,
                "matches": recommend.initiatives_for_problem(
                    session, user, problem, same_field=same_field
                ),
                "invited": recommend.invited(session, problem),
                "can_invite": perms.can_invite(user, problem),
            }

    def for_initiative(initiative_id: int) -> list[Any]:
        with request_session(request) as session:
            initiative = session.get(Initiative, initiative_id)
            if initiative is None or not perms.can_see_initiative_matches(user, initiative):
                return []
            return recommend.problems_for_initiative(session, user, initiative)

    def duplicates(initiative_id: int) -> dict[str, Any] | None:
        """Use 5 after submission: coordinators see possible duplicates; the initiative's
        authors, the published initiatives close to theirs."""
        with request_session(request) as session:
            initiative = session.get(Initiative, initiative_id)
            if initiative is None:
                return None
            author = perms.can_see_close_published(user, initiative)
            if not (author or perms.can_see_duplicates(user)):
                return None
            found = recommend.near_duplicates(session, user, initiative_id)
            return {"matches": found, "for_author": author} if found else None

    def maybe(results: Any) -> list[Any]:
        """Under the search results (the same supplement as `GET /api/v1/search`'s `maybe`)."""
        with request_session(request) as session:
            return recommend.maybe(session, results)

    def viewed() -> list[Any]:
        """The visitor's own viewing history (their profile page)."""
        from app.matching import history

        if user is None:
            return []
        with request_session(request) as session:
            return history.history(session, user, user)

    return {
        "matching_viewed": viewed,
        "matching_for_problem": for_problem,
        "matching_for_initiative": for_initiative,
        "matching_duplicates": duplicates,
        "matching_maybe": maybe,
    }
