"""Score arithmetic: one review's weighted total, and a round's aggregates.

Pure functions over plain values, so every number on the ranking page can be
recomputed by hand from the scores. All figures are on the 0–10 scale.

The exact method
----------------
1. **Weighted total of a review.** Each criterion score is first mapped to
   0–10 by its own scale, ``n = 10 × (s − scale_min) / (scale_max − scale_min)``
   (the identity for the default 0–10 scale). The total is
   ``Σ wᵢ·nᵢ / Σ wᵢ`` over *all* criteria of the rubric: weights are normalised,
   so only their ratios matter, and an unscored criterion of a draft counts as
   0 (a submitted review has every criterion scored). The browser's running
   total (frontend/static/js/reviews.js) applies the same formula.
2. **Raw score of an initiative** = the arithmetic mean of its submitted
   reviews' totals. **Per-criterion means** are the means of the raw criterion
   scores. **Spread** = max − min of the totals, and their population standard
   deviation.
3. **Calibrated score.** Some reviewers are lenient, some harsh. For each
   reviewer, take *all* their submitted reviews (every round, so one round's
   batch does not define leniency): mean ``m_r`` and population standard
   deviation ``s_r``. Each review's total becomes a z-score
   ``z = (total − m_r) / s_r``. A reviewer with fewer than two reviews, or
   whose totals are all equal (``s_r = 0``), gives no evidence of leniency:
   their review is standardised against the global population instead,
   ``z = (total − M) / S`` (and ``z = 0`` when ``S = 0``). Here ``M`` and
   ``S`` are the mean and population standard deviation of all submitted
   totals in the portal. The initiative's calibrated score is
   ``M + S × mean(z)`` over its reviews: back on the 0–10 scale, so it can be
   read next to the raw score. With no lenient or harsh reviewer the two agree.
4. **Disagreement flag** when max − min of the totals is strictly greater
   than the round's threshold (default 2.0).

Results are rounded to four decimal places only when presented (``rounded``),
so the arithmetic itself keeps full precision.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SCALE = 10.0
DEFAULT_DISAGREEMENT_THRESHOLD = 2.0


@dataclass(frozen=True)
class CriterionSpec:
    """The part of a criterion the arithmetic needs."""

    code: str
    weight: float
    scale_min: float = 0.0
    scale_max: float = 10.0


@dataclass(frozen=True)
class ScoredReview:
    """One submitted review: who, for which initiative, its total and criterion scores."""

    review_id: int
    reviewer_id: int
    initiative_id: int
    total: float
    scores: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Aggregate:
    """The figures of one initiative in a round."""

    initiative_id: int
    reviews: int
    raw: float | None
    calibrated: float | None
    criterion_means: dict[str, float]
    spread: float | None
    sd: float | None
    disagreement: bool
    totals: tuple[float, ...]
    z_scores: tuple[float, ...]


def normalised(score: float, spec: CriterionSpec) -> float:
    """A criterion score mapped onto 0–10 by the criterion's own scale."""
    width = spec.scale_max - spec.scale_min
    return SCALE * (score - spec.scale_min) / width


def weighted_total(criteria: Sequence[CriterionSpec], scores: Mapping[str, float | None]) -> float:
    """Σ wᵢ·nᵢ / Σ wᵢ over all criteria; a missing score counts as 0 (drafts)."""
    weight_sum = sum(c.weight for c in criteria)
    if weight_sum <= 0:
        raise ValueError("a rubric needs a positive total weight")
    acc = 0.0
    for spec in criteria:
        value = scores.get(spec.code)
        if value is None:
            continue
        if not spec.scale_min <= value <= spec.scale_max:
            raise ValueError(
                f"score {value} of {spec.code} outside {spec.scale_min}–{spec.scale_max}"
            )
        acc += spec.weight * normalised(value, spec)
    return acc / weight_sum


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def population_sd(values: Sequence[float]) -> float:
    """Standard deviation dividing by n (the spread of these values, not an estimate)."""
    if not values:
        return 0.0
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


@dataclass(frozen=True)
class Population:
    """Per-reviewer and global statistics of all submitted totals."""

    global_mean: float
    global_sd: float
    reviewer_mean: dict[int, float]
    reviewer_sd: dict[int, float]
    reviewer_count: dict[int, int]

    def z(self, reviewer_id: int, total: float) -> float:
        """The review's standardised total (see the module docstring, step 3)."""
        sd = self.reviewer_sd.get(reviewer_id, 0.0)
        if self.reviewer_count.get(reviewer_id, 0) >= 2 and sd > 0:
            return (total - self.reviewer_mean[reviewer_id]) / sd
        if self.global_sd > 0:
            return (total - self.global_mean) / self.global_sd
        return 0.0


def population(all_reviews: Iterable[ScoredReview]) -> Population:
    """Statistics over every submitted review in the portal (every round)."""
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    totals: list[float] = []
    for review in all_reviews:
        by_reviewer[review.reviewer_id].append(review.total)
        totals.append(review.total)
    return Population(
        global_mean=mean(totals) if totals else 0.0,
        global_sd=population_sd(totals),
        reviewer_mean={r: mean(t) for r, t in by_reviewer.items()},
        reviewer_sd={r: population_sd(t) for r, t in by_reviewer.items()},
        reviewer_count={r: len(t) for r, t in by_reviewer.items()},
    )


def aggregate_one(
    initiative_id: int,
    reviews: Sequence[ScoredReview],
    stats: Population,
    threshold: float = DEFAULT_DISAGREEMENT_THRESHOLD,
) -> Aggregate:
    """Raw and calibrated score, criterion means, spread and flag of one initiative."""
    if not reviews:
        return Aggregate(initiative_id, 0, None, None, {}, None, None, False, (), ())
    totals = tuple(r.total for r in reviews)
    zs = tuple(stats.z(r.reviewer_id, r.total) for r in reviews)
    by_code: dict[str, list[float]] = defaultdict(list)
    for review in reviews:
        for code, value in review.scores.items():
            by_code[code].append(value)
    spread = max(totals) - min(totals)
    return Aggregate(
        initiative_id=initiative_id,
        reviews=len(reviews),
        raw=mean(totals),
        calibrated=stats.global_mean + stats.global_sd * mean(zs),
        criterion_means={code: mean(values) for code, values in by_code.items()},
        spread=spread,
        sd=population_sd(totals),
        disagreement=spread > threshold,
        totals=totals,
        z_scores=zs,
    )


def aggregate(
    round_reviews: Iterable[ScoredReview],
    all_reviews: Iterable[ScoredReview],
    initiative_ids: Iterable[int] = (),
    threshold: float = DEFAULT_DISAGREEMENT_THRESHOLD,
) -> dict[int, Aggregate]:
    """Aggregates for every initiative of a round (also those without reviews yet)."""
    stats = population(all_reviews)
    grouped: dict[int, list[ScoredReview]] = {i: [] for i in initiative_ids}
    for review in round_reviews:
        grouped.setdefault(review.initiative_id, []).append(review)
    return {
        i: aggregate_one(i, sorted(rs, key=lambda r: r.review_id), stats, threshold)
        for i, rs in grouped.items()
    }


SORT_KEYS = ("calibrated", "raw", "spread", "reviews")


def ranked(
    aggregates: Iterable[Aggregate], key: str = "calibrated", descending: bool = True
) -> list[Aggregate]:
    """Sorted by `key`; initiatives without reviews last, ties by id (stable, reproducible)."""
    if key not in SORT_KEYS:
        key = "calibrated"
    items = list(aggregates)
    scored = sorted(
        (a for a in items if getattr(a, key) is not None),
        key=lambda a: (-getattr(a, key) if descending else getattr(a, key), a.initiative_id),
    )
    unscored = sorted((a for a in items if getattr(a, key) is None), key=lambda a: a.initiative_id)
    return scored + unscored


def rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)
