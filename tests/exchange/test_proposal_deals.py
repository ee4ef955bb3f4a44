"""Deals on a problem's awarded proposal: who opens one, the links both ways, the refusals."""

from __future__ import annotations

import pytest

from app.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from app.exchange import deal_history, deal_opening, deal_verbs, deal_views
from app.exchange.deal_schemas import AbandonIn
from app.i18n import use_language
from app.problems.models import Proposal
from tests.conftest import csrf_of, web_login
from tests.initiatives import helpers as initiatives
from tests.problems import helpers as problems


def _awarded(session, kind: str = "initiative", status: str = "awarded"):
    c = problems.cast(session)
    problem = problems.problem(session, c, status="awarded")
    initiative = initiatives.initiative(session, c.scientist, status="published")
    proposal = Proposal(
        problem_id=problem.id,
        proposer_id=c.scientist.id,
        kind=kind,
        initiative_id=initiative.id if kind == "initiative" else None,
        summary="Màng bao chitosan",
        status=status,
    )
    session.add(proposal)
    session.commit()
    return c, problem, initiative, proposal


def test_the_owner_or_the_proposer_opens_a_deal_linked_both_ways(session):
    c, problem, initiative, proposal = _awarded(session)
    for outsider in (c.rival, c.other, c.coordinator):
        with pytest.raises(PermissionDenied):
            deal_opening.open_from_proposal(session, outsider, proposal)
        session.rollback()
    deal = deal_opening.open_from_proposal(session, c.owner, proposal)
    session.commit()
    assert (deal.initiative_id, deal.organisation_id, deal.proposal_id) == (
        initiative.id,
        problem.organisation_id,
        proposal.id,
    )
    assert deal_opening.deal_of_proposal(session, proposal.id).id == deal.id
    seen = deal_views.describe(session, c.scientist, deal)
    assert seen["my_side"] == "initiative"
    assert seen["proposal"] == {
        "id": proposal.id,
        "problem_id": problem.id,
        "problem_title": problem.title,
    }
    assert deal_views.describe(session, c.colleague, deal)["my_side"] == "counterparty"
    opened = deal_history.events(session, deal.id)[0]
    assert opened.action == "opened" and f'"proposal_id":{proposal.id}' in opened.detail
    with pytest.raises(Conflict):  # one open deal per proposal
        deal_opening.open_from_proposal(session, c.scientist, proposal)
    session.rollback()
    deal_verbs.abandon(session, c.owner, deal, AbandonIn(reason="changed_priorities"))
    again = deal_opening.open_from_proposal(session, c.scientist, proposal)
    session.commit()
    assert deal_opening.deal_of_proposal(session, proposal.id).id == again.id


def test_only_an_awarded_proposal_naming_an_initiative_becomes_a_deal(session):
    c, _, _, shortlisted = _awarded(session, status="shortlisted")
    with pytest.raises(InvalidTransition):
        deal_opening.open_from_proposal(session, c.owner, shortlisted)
    session.rollback()
    shortlisted.status, shortlisted.kind, shortlisted.initiative_id = "awarded", "sketch", None
    session.add(shortlisted)
    session.commit()
    with use_language("en"), pytest.raises(ValidationFailed) as raised:
        deal_opening.open_from_proposal(session, c.owner, shortlisted)
    assert raised.value.message == (
        "This proposal is a sketch: a deal needs an initiative. Submit the solution as an "
        "initiative first, then propose it."
    )


def test_the_proposal_page_links_to_the_deal_and_the_deal_page_back(app, client, session):
    c, problem, _, proposal = _awarded(session)
    web_login(client, c.owner.email)
    page = client.get(f"/problems/proposals/{proposal.id}")
    assert page.status_code == 200
    assert f'action="/exchange/proposals/{proposal.id}/deal"' in page.text
    opened = client.post(
        f"/exchange/proposals/{proposal.id}/deal",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    url = opened.headers["location"]
    deal_page = client.get(url)
    assert f'href="/problems/proposals/{proposal.id}"' in deal_page.text
    again = client.get(f"/problems/proposals/{proposal.id}")
    assert f'href="{url}"' in again.text
    assert f'action="/exchange/proposals/{proposal.id}/deal"' not in again.text
