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

from typing import Any

import jinja2
from fastapi import Request


def install(env: jinja2.Environment) -> None:
    from app.accounts.labels import (
        membership_state_label,
        organisation_type_label,
        role_label,
    )
    from app.exchange import service as exchange

    env.globals.update(
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

    def proposal_deal(proposal_id: int) -> dict[str, Any]:
        """The deal an awarded proposal became (if the visitor may see it), or may become."""
        from app.exchange import deals
        from app.exchange.deal_queries import can_see
        from app.problems.models import Problem, Proposal

        with request_session(request) as session:
            proposal = session.get(Proposal, proposal_id)
            if proposal is None:
                return {}
            problem = session.get_one(Problem, proposal.problem_id)
            deal = deals.deal_of_proposal(session, proposal_id)
            return {
                "deal_id": deal.id if deal and can_see(session, user, deal) else None,
                "can_open": (deal is None or deal.stage in ("abandoned",))
                and deals.can_open_from_proposal(user, proposal, problem),
            }

    ctx: dict[str, Any] = {
        "exchange_panel": panel,
        "exchange_proposal_deal": proposal_deal,
        "exchange_received": received,
        "catalogue_similar": lambda initiative_id: catalogue.similar(None, initiative_id),
    }
    if user is not None:
        with request_session(request) as session:
            ctx["unread_count"] = notifications.unread_count(session, user)
    return ctx
