"""Review API: rubrics, rounds, assignments, invitations, reviews, rankings and decisions.

The same roles as the web pages: coordinators manage rubrics, rounds,
assignments, rankings and decisions; a reviewer answers their own
invitations and writes their own reviews. Errors are problem+json.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import col, select

from app.accounts.deps import CoordinatorUser, CurrentUser
from app.db import SessionDep
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.initiatives import visibility
from app.reviews import decisions, invitations, ranking, reviewing, rubrics, service
from app.reviews.deps import AssignmentDep, RoundDep, RubricDep
from app.reviews.models import RoundItem
from app.reviews.schemas import (
    AcceptIn,
    AssignmentOut,
    AutoAssignIn,
    AutoAssignOut,
    DecisionIn,
    DecisionOut,
    DeclineIn,
    ManualAssignIn,
    RankingOut,
    RankingRowOut,
    ReviewIn,
    ReviewOut,
    RoundIn,
    RoundItemsIn,
    RoundOut,
    RubricIn,
    RubricOut,
    ScoreOut,
)
from app.reviews.scoring import SORT_KEYS, rounded
from app.web.api import PROBLEMS

router = APIRouter(tags=["reviews"])


def _rubric_out(session, rubric) -> RubricOut:
    out = RubricOut.model_validate(rubric)
    out.in_use = rubrics.in_use(session, rubric)
    return out


def _round_out(session, found) -> RoundOut:
    out = RoundOut.model_validate(found)
    out.initiative_ids = list(
        session.exec(
            select(RoundItem.initiative_id)
            .where(RoundItem.round_id == found.id)
            .order_by(col(RoundItem.initiative_id))
        )
    )
    return out


# -- rubrics -----------------------------------------------------------------
@router.get("/rubrics", response_model=list[RubricOut], summary="List rubrics")
def list_rubrics(session: SessionDep, user: CoordinatorUser):
    return [_rubric_out(session, r) for r in rubrics.list_rubrics(session)]


@router.post(
    "/rubrics",
    response_model=RubricOut,
    status_code=201,
    summary="Create a rubric",
    responses=PROBLEMS,
)
def create_rubric(data: RubricIn, session: SessionDep, user: CoordinatorUser):
    return _rubric_out(
        session,
        rubrics.create_rubric(
            session,
            user,
            name=data.name,
            criteria=data.criteria,
            description=data.description,
            field_id=data.field_id,
        ),
    )


@router.get(
    "/rubrics/{rubric_id}", response_model=RubricOut, summary="One rubric", responses=PROBLEMS
)
def get_rubric(session: SessionDep, user: CoordinatorUser, rubric: RubricDep):
    return _rubric_out(session, rubric)


@router.put(
    "/rubrics/{rubric_id}",
    response_model=RubricOut,
    summary="Change a rubric",
    responses=PROBLEMS,
    description="Refused with 409 `rubric-in-use` when submitted scores use the rubric and the change "
    "touches criteria, weights or scales; create a new version instead.",
)
def update_rubric(data: RubricIn, session: SessionDep, user: CoordinatorUser, rubric: RubricDep):
    return _rubric_out(
        session,
        rubrics.update_rubric(
            session,
            user,
            rubric,
            name=data.name,
            criteria=data.criteria,
            description=data.description,
            field_id=data.field_id,
        ),
    )


@router.post(
    "/rubrics/{rubric_id}/versions",
    response_model=RubricOut,
    status_code=201,
    summary="Create a new, changeable version of a rubric",
    responses=PROBLEMS,
)
def version_rubric(session: SessionDep, user: CoordinatorUser, rubric: RubricDep):
    return _rubric_out(session, rubrics.new_version(session, user, rubric))


# -- rounds and assignment -----------------------------------------------------
@router.get("/review-rounds", response_model=list[RoundOut], summary="List review rounds")
def list_rounds(session: SessionDep, user: CoordinatorUser):
    return [_round_out(session, r) for r in service.list_rounds(session)]


@router.post(
    "/review-rounds",
    response_model=RoundOut,
    status_code=201,
    summary="Open a review round",
    description="Each initiative must be in screening; all move to in_review in one transaction.",
    responses=PROBLEMS,
)
def open_round(data: RoundIn, session: SessionDep, user: CoordinatorUser):
    return _round_out(session, service.open_round(session, user, data))


@router.get(
    "/review-rounds/{round_id}",
    response_model=RoundOut,
    summary="One review round",
    responses=PROBLEMS,
)
def get_round(session: SessionDep, user: CoordinatorUser, round: RoundDep):
    return _round_out(session, round)


@router.post(
    "/review-rounds/{round_id}/items",
    response_model=RoundOut,
    summary="Add initiatives in screening to an open round",
    responses=PROBLEMS,
)
def add_items(data: RoundItemsIn, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    """Joining a round is the only way into review (`in_review`); 409 when the round is closed."""
    service.add_to_round(session, user, round, data.initiative_ids)
    return _round_out(session, round)


@router.post(
    "/review-rounds/{round_id}/close",
    response_model=RoundOut,
    summary="Close a round",
    responses=PROBLEMS,
)
def close_round(session: SessionDep, user: CoordinatorUser, round: RoundDep):
    return _round_out(session, service.close_round(session, user, round))


@router.get(
    "/review-rounds/{round_id}/assignments",
    response_model=list[AssignmentOut],
    summary="Assignments of a round",
    responses=PROBLEMS,
)
def round_assignments(session: SessionDep, user: CoordinatorUser, round: RoundDep):
    return service.assignments_for(session, round)


@router.get(
    "/review-rounds/{round_id}/overdue",
    response_model=list[AssignmentOut],
    summary="Open assignments past the due date (who is late)",
    responses=PROBLEMS,
)
def overdue(session: SessionDep, user: CoordinatorUser, round: RoundDep):
    return invitations.overdue(session, round)


@router.post(
    "/review-rounds/{round_id}/assignments",
    response_model=AssignmentOut,
    status_code=201,
    summary="Invite one reviewer (manual assignment)",
    responses=PROBLEMS,
    description="409 `conflict-of-interest` (with the detected `conflicts`) or `load-exceeded`.",
)
def assign(data: ManualAssignIn, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    from app.accounts.models import User

    initiative, reviewer = (
        visibility.load(session, user, data.initiative_id),
        session.get(User, data.reviewer_id),
    )
    if reviewer is None:
        raise NotFound(_("No such initiative or reviewer."))
    return service.assign(session, user, round, initiative, reviewer)


@router.post(
    "/review-rounds/{round_id}/auto-assign",
    response_model=AutoAssignOut,
    summary="Assign reviewers automatically",
    responses=PROBLEMS,
    description="Fills open slots maximising expertise match, never above the round's maximum load and "
    "never with a conflict; `under_covered` lists initiatives still short of reviewers.",
)
def auto_assign(data: AutoAssignIn, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    result = service.auto_assign(session, user, round, data.initiative_ids)
    return AutoAssignOut(
        created=[AssignmentOut.model_validate(a) for a in result.created],
        under_covered=result.under_covered,
    )


# -- the reviewer's side -------------------------------------------------------
@router.get(
    "/review-assignments", response_model=list[AssignmentOut], summary="My review invitations"
)
def my_assignments(session: SessionDep, user: CurrentUser):
    return invitations.my_assignments(session, user)


@router.post(
    "/review-assignments/{assignment_id}/accept",
    response_model=AssignmentOut,
    summary="Accept an invitation, declaring no conflict of interest",
    responses=PROBLEMS,
)
def accept(data: AcceptIn, session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    return invitations.accept(session, user, assignment)


@router.post(
    "/review-assignments/{assignment_id}/decline",
    response_model=AssignmentOut,
    summary="Decline an invitation with a reason",
    responses=PROBLEMS,
)
def decline(data: DeclineIn, session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    return invitations.decline(session, user, assignment, data.reason, conflict=data.conflict)


@router.post(
    "/review-assignments/{assignment_id}/confidentiality",
    response_model=AssignmentOut,
    summary="Accept the confidentiality undertaking for this initiative",
    responses=PROBLEMS,
)
def confidentiality(session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    return invitations.accept_confidentiality(session, user, assignment)


@router.get(
    "/review-assignments/{assignment_id}/initiative",
    summary="The initiative to review",
    description="403 `confidentiality-required` until accepted; every read is logged.",
    responses=PROBLEMS,
)
def initiative_content(session: SessionDep, user: CurrentUser, assignment: AssignmentDep) -> dict:
    return reviewing.content_for_reviewer(session, user, assignment)


def _review_out(session, review) -> ReviewOut:
    by_code = reviewing.scores_by_code(session, review)
    return ReviewOut(
        id=review.id,
        assignment_id=review.assignment_id,
        status=review.status,
        recommendation=review.recommendation,
        comments_for_submitter=review.comments_for_submitter,
        confidential_comments=review.confidential_comments,
        total=rounded(review.total),
        scores=[
            ScoreOut(criterion=c, score=s.score, justification=s.justification)
            for c, s in by_code.items()
        ],
        updated_at=review.updated_at,
        submitted_at=review.submitted_at,
    )


@router.get(
    "/review-assignments/{assignment_id}/review",
    response_model=ReviewOut,
    summary="My review",
    responses=PROBLEMS,
)
def get_review(session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    review = reviewing.get_review(session, assignment)
    if review is None:
        raise NotFound(_("No review saved yet."))
    return _review_out(session, review)


@router.put(
    "/review-assignments/{assignment_id}/review",
    response_model=ReviewOut,
    summary="Save a draft review",
    responses=PROBLEMS,
)
def save_review(data: ReviewIn, session: SessionDep, user: CurrentUser, assignment: AssignmentDep):
    return _review_out(session, reviewing.save(session, user, assignment, data, submit=False))


@router.post(
    "/review-assignments/{assignment_id}/review/submit",
    response_model=ReviewOut,
    summary="Submit (or, once submitted, update) the review",
    responses=PROBLEMS,
    description="Every criterion needs a score and a justification, and a recommendation is required.",
)
def submit_review(
    data: ReviewIn, session: SessionDep, user: CurrentUser, assignment: AssignmentDep
):
    return _review_out(session, reviewing.save(session, user, assignment, data, submit=True))


# -- ranking and decisions -----------------------------------------------------
@router.get(
    "/review-rounds/{round_id}/ranking",
    response_model=RankingOut,
    summary="Ranking of a round",
    description="`format=csv` or `format=xlsx` returns a file instead of JSON. The calibrated score's method "
    "is returned in `method`.",
    responses=PROBLEMS,
)
def get_ranking(
    session: SessionDep,
    user: CoordinatorUser,
    round: RoundDep,
    sort: str = "calibrated",
    order: str = "desc",
    format: str = "json",
):
    if sort not in SORT_KEYS:
        raise ValidationFailed(_("Unknown sort key."), errors={"sort": ", ".join(SORT_KEYS)})
    result = ranking.ranking(session, round, sort, order != "asc")
    if format == "csv":
        return Response(ranking.to_csv(result), media_type="text/csv; charset=utf-8")
    if format == "xlsx":
        return Response(
            ranking.to_xlsx(result),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return RankingOut(
        round_id=round.id,
        method=ranking.method_text(),
        global_mean=rounded(result.global_mean),
        global_sd=rounded(result.global_sd),
        rows=[RankingRowOut(**ranking.row_figures(r)) for r in result.rows],
    )


@router.post(
    "/review-rounds/{round_id}/decisions",
    response_model=DecisionOut,
    status_code=201,
    summary="Select, reject or return an initiative with a rationale",
    responses=PROBLEMS,
)
def decide(data: DecisionIn, session: SessionDep, user: CoordinatorUser, round: RoundDep):
    initiative = visibility.load(session, user, data.initiative_id)
    return decisions.decide(
        session, user, round, initiative, data.outcome, data.rationale, data.override_reason
    )


@router.get(
    "/review-rounds/{round_id}/decisions",
    response_model=list[DecisionOut],
    summary="Decisions of a round",
    responses=PROBLEMS,
)
def list_decisions(session: SessionDep, user: CoordinatorUser, round: RoundDep):
    return list(decisions.decisions_for(session, round).values())
