"""Side effects: an opened and an awarded problem reach organisations' webhooks (public facts
only); the deadline warning reaches the owners; the API documents its bodies with examples."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from app.accounts.models import OrganisationType, Role
from app.notifications.models import Notification
from app.problems import proposals as proposal_service
from app.problems import service, workflow
from app.problems.schemas import AwardIn, ProposalWithdrawIn
from app.webhooks import service as webhooks
from app.webhooks.schemas import EndpointForm
from tests import factories
from tests.problems.helpers import DETAILS, TITLE, cast, problem, sketch
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def test_opened_and_awarded_problems_reach_webhooks_without_the_details(
    session, worker, settings, receiver
):
    settings.webhooks_allow_private = True
    c = cast(session)
    fund = factories.organisation(session, "Quỹ Mạo hiểm", type=OrganisationType.investment_fund)
    investor = factories.user(session, Role.investor, organisation_id=fund.id)
    webhooks.register_endpoint(
        session,
        investor,
        investor.organisation,
        EndpointForm(url=receiver.url, event_types=["problem.opened", "problem.awarded"]),
    )
    p = problem(session, c, "submitted")
    workflow.transition(session, p, "open", actor=c.coordinator)
    session.commit()
    proposal = sketch(session, c.scientist, p)
    p.status = "evaluating"
    session.add(p)
    session.commit()
    proposal_service.award(session, c.owner, p, AwardIn(proposal_ids=[proposal.id]))
    session.commit()
    worker.drain()

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [(b["type"], b["data"]["problem_id"], b["data"]["title"]) for b in bodies] == [
        ("problem.opened", p.id, TITLE),
        ("problem.awarded", p.id, TITLE),
    ]
    assert all(DETAILS not in r.body.decode() for r in receiver.requests)


def test_the_closing_warning_reaches_the_owners_in_their_inbox(session, worker):
    c = cast(session)
    p = problem(session, c, "open")
    p.deadline = workflow.today_in_vietnam()
    session.add(p)
    session.commit()
    assert service.run_deadlines(session)["warned"] == [p.id]
    session.commit()
    worker.drain()
    session.rollback()
    notes = session.exec(
        select(Notification.user_id, Notification.type, Notification.title).order_by(
            Notification.user_id
        )
    ).all()
    subject = f"Proposals for “{TITLE}” close in three days"
    assert notes == [
        (c.owner.id, "problem_stage", subject),
        (c.colleague.id, "problem_stage", subject),
    ]


def test_the_openapi_schema_documents_the_problem_endpoints_with_examples(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/problems",
        "/api/v1/problems/{problem_id}/nda",
        "/api/v1/problems/{problem_id}/proposals",
        "/api/v1/proposals/{proposal_id}/decline",
        "/api/v1/problems/{problem_id}/award",
    ):
        assert path in paths, path
    components = schema["components"]["schemas"]
    for name in ("ProblemIn", "ProblemProposalIn", "ProposalDeclineIn", "AwardIn", "QuestionIn"):
        assert components[name]["examples"], name


def test_proposal_stages_reach_the_organisations_webhooks_as_ids_only(
    session, worker, settings, receiver
):
    settings.webhooks_allow_private = True
    c = cast(session)
    webhooks.register_endpoint(
        session,
        c.owner,
        c.owner.organisation,
        EndpointForm(url=receiver.url, event_types=["proposal.stage_changed"]),
    )
    session.commit()
    p = problem(session, c, "open")
    taken = sketch(session, c.scientist, p)
    kept = sketch(session, c.other, p)
    proposal_service.shortlist(session, c.owner, kept)
    proposal_service.withdraw(session, c.scientist, taken, ProposalWithdrawIn(reason="Bận."))
    session.commit()
    worker.drain()

    bodies = sorted(
        (b["data"]["proposal_id"], b["data"]["status"])
        for b in (json.loads(r.body) for r in receiver.requests)
    )
    assert bodies == sorted(
        [
            (taken.id, "submitted"),
            (kept.id, "submitted"),
            (kept.id, "shortlisted"),
            (taken.id, "withdrawn"),
        ]
    )
    body = json.loads(receiver.requests[0].body)
    assert (body["type"], set(body["data"])) == (
        "proposal.stage_changed",
        {"proposal_id", "problem_id", "status"},
    )
