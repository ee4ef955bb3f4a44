"""Problem statement JSON API under /api/v1: post, moderate, read (visibility-filtered), accept the
non-disclosure undertaking, propose, talk, shortlist, decline, award, public questions.

Refusals are problem+json: 401 without a token where one is needed; 404 for a problem,
proposal or question the caller may not see; 403 for a step the caller may not take; 409
`invalid-transition` for a step the state does not allow (with `current` and `allowed`) and
`conflict` for a second proposal; 422 `validation-failed` with `errors` per field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response

from app.accounts.deps import CurrentUser, OptionalUser
from app.catalogue import problem_index
from app.db import SessionDep
from app.initiatives.downloads import file_response
from app.problems import proposals as proposal_service
from app.problems import questions as question_service
from app.problems import service, visibility, workflow
from app.problems.deps import (
    AttachableProblem,
    VisibleProblem,
    VisibleProposal,
    VisibleQuestion,
    Visitor,
)
from app.problems.schemas import (
    AccessOut,
    AnswerIn,
    AwardIn,
    MessageIn,
    MessageOut,
    ProblemIn,
    ProblemOut,
    ProblemProposalIn,
    ProblemProposalOut,
    ProblemsOut,
    ProblemTransitionIn,
    ProposalDeclineIn,
    ProposalEventOut,
    ProposalWithdrawIn,
    QuestionIn,
    QuestionOut,
)
from app.storage import StreamedUpload
from app.web.api import PROBLEMS, public

router = APIRouter(tags=["problems"])


def _problem(session: SessionDep, user: OptionalUser, problem: Any) -> dict[str, Any]:
    """The answer of every problem verb: the problem as the caller may see it, with the steps
    the caller may take (and, for its managers, its figures)."""
    view = visibility.visible_view(session, user, problem)
    view["nda_required"] = visibility.must_accept_nda(session, user, problem)
    view["transitions"] = [str(t.target) for t in workflow.available(user, problem)]
    if visibility.is_manager(user, problem):
        view["figures"] = service.figures(session, problem)
    return view


def _proposal(session: SessionDep, user: CurrentUser, proposal: Any) -> dict[str, Any]:
    """The answer of every proposal verb: the proposal as the caller may see it."""
    return visibility.proposal_view(
        session, user, proposal_service.problem_of(session, proposal), proposal
    )


@router.get("/problems", response_model=ProblemsOut, summary="Find open and awarded problems")
@public
def find(
    session: SessionDep,
    user: OptionalUser,
    q: str = Query("", max_length=200, description="Words, with or without Vietnamese accents"),
    field: str = Query("", max_length=40),
    scope: str = Query("", max_length=20),
    province: str = Query("", max_length=100),
    funding_mode: str = Query("", max_length=20),
    trl: str = Query("", max_length=2),
    budget: str = Query("", max_length=20, description="under_1b, 1b_5b or over_5b"),
    deadline: str = Query(
        "", max_length=20, description="week, month, quarter, later or passed (days left)"
    ),
    owner_type: str = Query("", max_length=30),
    status: str = Query("", max_length=20, description="open or awarded"),
):
    """Public fields only (never the confidential details), with facet counts: each facet
    counts the matches of the query and the other filters."""
    filters = {
        "field": field,
        "scope": scope,
        "province": province,
        "funding_mode": funding_mode,
        "trl": trl,
        "budget": budget,
        "deadline": deadline,
        "owner_type": owner_type,
        "status": status,
    }
    found = problem_index.find(session, q, filters)
    return {
        "items": [
            {
                k: v
                for k, v in visibility.full_view(session, p).items()
                if k in visibility.PUBLIC_FIELDS
            }
            for p in found.problems
        ],
        "facets": found.facets,
        "ignored": list(found.ignored),
    }


@router.get(
    "/problems/mine",
    response_model=list[ProblemOut],
    responses={401: PROBLEMS[401]},
    summary="Problems I manage, with figures",
)
def list_mine(session: SessionDep, user: CurrentUser):
    """Every problem the caller may manage, in every state, each with `figures`: views,
    acceptances of the undertaking and proposals by stage."""
    return [
        {**visibility.full_view(session, p), "figures": service.figures(session, p)}
        for p in service.mine(session, user)
    ]


@router.post(
    "/problems",
    response_model=ProblemOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Post a problem (a draft)",
)
def create(session: SessionDep, user: CurrentUser, body: ProblemIn):
    """Enterprises and agencies post for their organisation; a coordinator's problem is national
    and skips moderation when submitted. The deadline must be after today (Vietnam time) and
    `budget_min` may not exceed `budget_max`."""
    problem = service.create(session, user, body)
    return _problem(session, user, problem)


@router.put(
    "/problems/{problem_id}",
    response_model=ProblemOut,
    responses=PROBLEMS,
    summary="Change a draft",
)
def update(session: SessionDep, user: CurrentUser, problem: VisibleProblem, body: ProblemIn):
    service.update(session, user, problem, body)
    return _problem(session, user, problem)


@router.get(
    "/problems/{problem_id}",
    response_model=ProblemOut,
    responses=PROBLEMS,
    summary="Read a problem as the caller may see it",
)
@public
def read(session: SessionDep, user: OptionalUser, problem: VisibleProblem, visitor: Visitor):
    """`details` and `attachments` appear only for owners, coordinators and readers who accepted
    the undertaking (`nda_required` tells whether accepting would open them); each such read is
    logged in the access log."""
    service.count_view(session, user, problem, visitor)
    return _problem(session, user, problem)


@router.post(
    "/problems/{problem_id}/submit",
    response_model=ProblemOut,
    responses=PROBLEMS,
    summary="Submit for moderation",
)
def submit(session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    """A coordinator's national problem opens at once; others wait for a coordinator."""
    service.submit(session, user, problem)
    return _problem(session, user, problem)


@router.post(
    "/problems/{problem_id}/transition",
    response_model=ProblemOut,
    responses=PROBLEMS,
    summary="Move a problem to another stage",
)
def transition(
    session: SessionDep, user: CurrentUser, problem: VisibleProblem, body: ProblemTransitionIn
):
    """Moderation (`open`, `returned_for_revision`, `rejected`, `unpublished`: coordinators),
    `evaluating`, `in_progress`, `completed`, `cancelled` (owners). A reason is required to
    return, reject, cancel or unpublish."""
    workflow.transition(session, problem, body.to, actor=user, reason=body.reason)
    return _problem(session, user, problem)


@router.post(
    "/problems/{problem_id}/nda",
    response_model=ProblemOut,
    responses=PROBLEMS,
    summary="Accept the non-disclosure undertaking",
)
def accept_nda(session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    """Records who, from which organisation, when and which text version in the hash-chained
    access log, then returns the problem with its details."""
    service.accept_nda(session, user, problem)
    return _problem(session, user, problem)


@router.get(
    "/problems/{problem_id}/access-log",
    response_model=list[AccessOut],
    responses=PROBLEMS,
    summary="Who accepted the undertaking and read the details",
)
def access_log(session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    from app.accounts.models import User

    return [
        {
            "seq": e.seq,
            "user": (session.get(User, e.user_id) or User(email="", full_name="")).full_name,
            "organisation_name": e.organisation_name,
            "what": e.what,
            "nda_version": e.nda_version,
            "created_at": e.created_at,
            "hash": e.hash,
        }
        for e in service.access_log(session, user, problem)
    ]


@router.post(
    "/problems/{problem_id}/proposals",
    response_model=ProblemProposalOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Answer an open problem",
)
def propose(
    session: SessionDep, user: CurrentUser, problem: VisibleProblem, body: ProblemProposalIn
):
    """With one of the caller's initiatives (`kind: initiative`; the owners see its public
    sections, or all of them with `grant_confidential`) or a solution sketch."""
    proposal = proposal_service.propose(session, user, problem, body)
    return visibility.proposal_view(session, user, problem, proposal)


@router.get(
    "/problems/{problem_id}/proposals",
    response_model=list[ProblemProposalOut],
    responses=PROBLEMS,
    summary="Proposals the caller may see",
)
def proposals(session: SessionDep, user: CurrentUser, problem: VisibleProblem):
    """All of them for owners and coordinators; a proposer's own otherwise."""
    return [
        visibility.proposal_view(session, user, problem, p)
        for p in proposal_service.proposals_of(session, user, problem)
    ]


@router.get(
    "/proposals/{proposal_id}",
    response_model=ProblemProposalOut,
    responses=PROBLEMS,
    summary="Read a proposal",
)
def read_proposal(session: SessionDep, user: CurrentUser, proposal: VisibleProposal):
    return _proposal(session, user, proposal)


@router.post(
    "/proposals/{proposal_id}/shortlist",
    response_model=ProblemProposalOut,
    responses=PROBLEMS,
    summary="Shortlist a proposal",
)
def shortlist(session: SessionDep, user: CurrentUser, proposal: VisibleProposal):
    proposal_service.shortlist(session, user, proposal)
    return _proposal(session, user, proposal)


@router.post(
    "/proposals/{proposal_id}/decline",
    response_model=ProblemProposalOut,
    responses=PROBLEMS,
    summary="Decline a proposal with a structured reason",
)
def decline(
    session: SessionDep, user: CurrentUser, proposal: VisibleProposal, body: ProposalDeclineIn
):
    """The proposer sees the reason; `other` needs a `text`."""
    proposal_service.decline(session, user, proposal, body)
    return _proposal(session, user, proposal)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    response_model=ProblemProposalOut,
    responses=PROBLEMS,
    summary="Withdraw one's own proposal",
)
def withdraw(
    session: SessionDep, user: CurrentUser, proposal: VisibleProposal, body: ProposalWithdrawIn
):
    """Only the proposer, while the problem is open, closed or being evaluated and the proposal
    is neither declined nor awarded; the owners are told, with the reason if one is given."""
    proposal_service.withdraw(session, user, proposal, body)
    return _proposal(session, user, proposal)


@router.post(
    "/problems/{problem_id}/award",
    response_model=list[ProblemProposalOut],
    responses=PROBLEMS,
    summary="Award one or more proposals",
)
def award(session: SessionDep, user: CurrentUser, problem: VisibleProblem, body: AwardIn):
    """The problem (closed or evaluating) moves to `awarded`; the proposers are told."""
    awarded = proposal_service.award(session, user, problem, body)
    return [visibility.proposal_view(session, user, problem, p) for p in awarded]


@router.get(
    "/proposals/{proposal_id}/history",
    response_model=list[ProposalEventOut],
    responses=PROBLEMS,
    summary="The stages a proposal went through",
)
def proposal_history(session: SessionDep, user: CurrentUser, proposal: VisibleProposal):
    """Sent, shortlisted, declined, awarded or withdrawn: who and when, oldest first (seen by
    whoever sees the proposal)."""
    return proposal_service.history_view(session, proposal)


@router.get(
    "/proposals/{proposal_id}/messages",
    response_model=list[MessageOut],
    responses=PROBLEMS,
    summary="The private thread of a proposal",
)
def messages(session: SessionDep, user: CurrentUser, proposal: VisibleProposal):
    return proposal_service.thread(session, user, proposal)


@router.post(
    "/proposals/{proposal_id}/messages",
    response_model=list[MessageOut],
    status_code=201,
    responses=PROBLEMS,
    summary="Write in the private thread",
)
def post_message(
    session: SessionDep, user: CurrentUser, proposal: VisibleProposal, body: MessageIn
):
    proposal_service.post_message(session, user, proposal, body)
    return proposal_service.thread(session, user, proposal)


@router.get(
    "/problems/{problem_id}/questions",
    response_model=list[QuestionOut],
    responses=PROBLEMS,
    summary="Public questions and answers",
)
@public
def questions(session: SessionDep, user: OptionalUser, problem: VisibleProblem):
    return question_service.questions(session, user, problem)


@router.post(
    "/problems/{problem_id}/questions",
    response_model=QuestionOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Ask a public question",
)
def ask(session: SessionDep, user: CurrentUser, problem: VisibleProblem, body: QuestionIn):
    return question_service.ask(session, user, problem, body)


@router.post(
    "/questions/{question_id}/answer",
    response_model=QuestionOut,
    responses=PROBLEMS,
    summary="Answer a public question (owners)",
)
def answer(session: SessionDep, user: CurrentUser, question: VisibleQuestion, body: AnswerIn):
    return question_service.answer(session, user, question, body)


@router.post(
    "/problems/{problem_id}/attachments",
    status_code=201,
    responses={
        **PROBLEMS,
        413: {"description": "File too large"},
        415: {"description": "Type refused"},
    },
    summary="Upload confidential files",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            }
        }
    },
)
def upload(
    session: SessionDep, user: CurrentUser, problem: AttachableProblem, received: StreamedUpload
):
    """Owners, while a draft or returned for revision. Files are confidential: readers download
    them only after accepting the non-disclosure undertaking."""
    rows = service.add_attachments(session, user, problem, received.files)
    return [
        {"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
        for a in rows
    ]


@router.get(
    "/problems/{problem_id}/attachments/{attachment_id}",
    summary="Download a confidential file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **PROBLEMS},
)
@public
def download(session: SessionDep, user: OptionalUser, problem: VisibleProblem, attachment_id: int):
    """Past the non-disclosure gate only; each download is appended to the access log."""
    attachment: Any = service.attachment_for_download(session, user, problem, attachment_id)
    return file_response(attachment)


@router.delete(
    "/problems/{problem_id}/attachments/{attachment_id}",
    status_code=204,
    responses=PROBLEMS,
    summary="Remove a confidential file",
)
def delete_attachment(
    session: SessionDep, user: CurrentUser, problem: VisibleProblem, attachment_id: int
):
    """Owners, while a draft or returned for revision; the stored bytes go after commit."""
    service.delete_attachment(session, user, problem, attachment_id)
    return Response(status_code=204)
