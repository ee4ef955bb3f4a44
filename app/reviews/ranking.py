"""The ranking of a round: raw and calibrated scores, criterion means, spread, disagreement; exports.

The figures come from scoring.py (its docstring is the documented method);
this module only loads submitted reviews and lays the figures out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import _, get_language
from app.initiatives.models import Initiative
from app.initiatives.workflow import status_label
from app.reviews import rubrics
from app.reviews.models import (
    Assignment,
    Criterion,
    Review,
    ReviewRound,
    ReviewScore,
    ReviewStatus,
    RoundItem,
)
from app.reviews.scoring import (
    Aggregate,
    ScoredReview,
    aggregate,
    population,
    ranked,
    rounded,
)
from app.web import exports


def method_text() -> str:
    return _(
        "Calibrated score: each reviewer's totals (all their submitted reviews) are standardised as "
        "z = (total − reviewer mean) / reviewer standard deviation; a reviewer with fewer than two reviews "
        "or identical totals is standardised against all reviews instead. The initiative's calibrated "
        "score is global mean + global standard deviation × the mean of its reviews' z-scores, on the "
        "same 0–10 scale as the raw score (the mean of the weighted totals)."
    )


def _scored(session: Session) -> list[ScoredReview]:
    """Every submitted review in the portal (calibration uses all of a reviewer's reviews)."""
    query = (
        select(Review, Assignment)
        .join(Assignment, col(Assignment.id) == col(Review.assignment_id))
        .where(Review.status == ReviewStatus.submitted)
    )
    pairs = session.exec(query.order_by(col(Review.id))).all()
    codes = dict(session.exec(select(Criterion.id, Criterion.code)).all())
    score_rows = (
        session.exec(
            select(ReviewScore).where(col(ReviewScore.review_id).in_([r.id for r, _a in pairs]))
        ).all()
        if pairs
        else []
    )
    by_review: dict[int, dict[str, float]] = {}
    for row in score_rows:
        if row.score is not None and row.review_id is not None:
            by_review.setdefault(row.review_id, {})[codes[row.criterion_id]] = row.score
    return [
        ScoredReview(r.id, a.reviewer_id, a.initiative_id, r.total or 0.0, by_review.get(r.id, {}))
        for r, a in pairs
    ]


@dataclass(frozen=True)
class Row:
    rank: int
    initiative: Initiative
    figures: Aggregate


@dataclass(frozen=True)
class Ranking:
    round: ReviewRound
    criteria: list[Criterion]
    rows: list[Row]
    global_mean: float
    global_sd: float


def ranking(
    session: Session, round: ReviewRound, sort: str = "calibrated", descending: bool = True
) -> Ranking:
    """Every initiative of the round with its figures, sorted; rank 1 is the best on `sort`."""
    everyone = _scored(session)
    stats = population(everyone)
    ids = list(session.exec(select(RoundItem.initiative_id).where(RoundItem.round_id == round.id)))
    in_round = _round_review_ids(session, round)
    figures = aggregate(
        [s for s in everyone if s.review_id in in_round],
        everyone,
        initiative_ids=ids,
        threshold=round.disagreement_threshold,
    )
    initiatives = (
        {i.id: i for i in session.exec(select(Initiative).where(col(Initiative.id).in_(ids)))}
        if ids
        else {}
    )
    ordered = ranked(figures.values(), sort, descending)
    rows = [Row(k, initiatives[a.initiative_id], a) for k, a in enumerate(ordered, 1)]
    return Ranking(
        round,
        list(rubrics.get(session, round.rubric_id).criteria),
        rows,
        stats.global_mean,
        stats.global_sd,
    )


def _round_review_ids(session: Session, round: ReviewRound) -> set[int]:
    return set(
        session.exec(
            select(Review.id)
            .join(Assignment, col(Assignment.id) == col(Review.assignment_id))
            .where(Assignment.round_id == round.id, Review.status == ReviewStatus.submitted)
        )
    )


def row_figures(row: Row) -> dict[str, Any]:
    """One row's figures, rounded to four decimals: the one definition of a ranking row.

    The exports (`table`) and the API (`RankingRowOut`) both read it.
    """
    a = row.figures
    return {
        "rank": row.rank,
        "initiative_id": row.initiative.id,
        "title": row.initiative.title,
        "status": row.initiative.status,
        "reviews": a.reviews,
        "raw": rounded(a.raw),
        "calibrated": rounded(a.calibrated),
        "criterion_means": {k: rounded(v) for k, v in a.criterion_means.items()},
        "spread": rounded(a.spread),
        "sd": rounded(a.sd),
        "disagreement": a.disagreement,
    }


def table(result: Ranking) -> tuple[list[str], list[list]]:
    """Header and rows for the exports (numbers rounded to four decimals)."""
    language = get_language()
    header = [
        _("Rank"),
        _("Initiative"),
        _("Title"),
        _("Status"),
        _("Reviews"),
        _("Raw score"),
        _("Calibrated score"),
        *[c.name(language) for c in result.criteria],
        _("Spread (max − min)"),
        _("Standard deviation"),
        _("Disagreement"),
    ]
    body = []
    for row in result.rows:
        v = row_figures(row)
        body.append(
            [
                v["rank"],
                v["initiative_id"],
                v["title"],
                status_label(v["status"]),
                v["reviews"],
                v["raw"],
                v["calibrated"],
                *[v["criterion_means"].get(c.code) for c in result.criteria],
                v["spread"],
                v["sd"],
                _("yes") if v["disagreement"] else _("no"),
            ]
        )
    return header, body


def to_csv(result: Ranking) -> str:
    header, body = table(result)
    return exports.to_csv(header, body)


def to_xlsx(result: Ranking) -> bytes:
    header, body = table(result)
    notes: list[list[str | float | None]] = [
        [method_text()],
        [_("Global mean"), rounded(result.global_mean)],
        [_("Global standard deviation"), rounded(result.global_sd)],
    ]
    return exports.to_xlsx([(_("Ranking"), [header, *body]), (_("Method"), notes)])
