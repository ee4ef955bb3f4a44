"""Score arithmetic on a worked example written out by hand."""

from __future__ import annotations

import math

import pytest

from app.reviews.scoring import (
    CriterionSpec,
    ScoredReview,
    aggregate,
    population,
    ranked,
    rounded,
    weighted_total,
)

# The five published criteria with weights 3 : 2 : 2 : 2 : 1 (sum 10).
RUBRIC = [
    CriterionSpec("novelty", 3),
    CriterionSpec("breakthrough", 2),
    CriterionSpec("feasibility", 2),
    CriterionSpec("impact", 2),
    CriterionSpec("resources", 1),
]


def test_weighted_total_divides_by_the_sum_of_weights():
    # (3·8 + 2·7 + 2·6 + 2·9 + 1·5) / 10 = (24 + 14 + 12 + 18 + 5) / 10 = 73 / 10
    scores = {"novelty": 8, "breakthrough": 7, "feasibility": 6, "impact": 9, "resources": 5}
    assert weighted_total(RUBRIC, scores) == 7.3


def test_only_weight_ratios_matter():
    scaled = [CriterionSpec(c.code, c.weight / 10) for c in RUBRIC]
    scores = {"novelty": 8, "breakthrough": 7, "feasibility": 6, "impact": 9, "resources": 5}
    assert rounded(weighted_total(scaled, scores), 10) == 7.3


def test_a_missing_score_of_a_draft_counts_as_zero():
    # only novelty scored: 3·10 / 10
    assert weighted_total(RUBRIC, {"novelty": 10}) == 3.0


def test_a_criterion_on_another_scale_is_mapped_to_zero_to_ten():
    rubric = [CriterionSpec("a", 1), CriterionSpec("b", 1, scale_min=1, scale_max=5)]
    # b = 4 on 1–5 is 10·(4−1)/4 = 7.5; total (10 + 7.5) / 2
    assert weighted_total(rubric, {"a": 10, "b": 4}) == 8.75


def test_a_score_outside_the_scale_is_refused():
    with pytest.raises(ValueError):
        weighted_total(RUBRIC, {"novelty": 11})


# Worked example of aggregation.
# Reviewer 1 is lenient, reviewer 2 harsh, reviewer 3 has a single review.
#   initiative 1: R1 9, R2 5, R3 6      initiative 2: R1 7, R2 3
# All totals 9, 5, 6, 7, 3: M = 30/5 = 6, deviations 3, −1, 0, 1, −3,
#   S = sqrt((9 + 1 + 0 + 1 + 9) / 5) = sqrt(4) = 2.
# R1: mean 8, sd 1 → z = +1 (I1), −1 (I2).  R2: mean 4, sd 1 → z = +1, −1.
# R3: one review → global z = (6 − 6) / 2 = 0.
# I1: raw = 20/3, mean z = 2/3, calibrated = 6 + 2·2/3 = 22/3, spread 9 − 5 = 4.
# I2: raw = 5, mean z = −1, calibrated = 6 − 2 = 4, spread 4.
REVIEWS = [
    ScoredReview(1, reviewer_id=1, initiative_id=1, total=9.0, scores={"novelty": 10, "impact": 8}),
    ScoredReview(2, reviewer_id=2, initiative_id=1, total=5.0, scores={"novelty": 4, "impact": 6}),
    ScoredReview(3, reviewer_id=3, initiative_id=1, total=6.0, scores={"novelty": 7, "impact": 5}),
    ScoredReview(4, reviewer_id=1, initiative_id=2, total=7.0, scores={"novelty": 7, "impact": 7}),
    ScoredReview(5, reviewer_id=2, initiative_id=2, total=3.0, scores={"novelty": 2, "impact": 4}),
]


def test_population_statistics():
    stats = population(REVIEWS)
    assert (stats.global_mean, stats.global_sd) == (6.0, 2.0)
    assert stats.reviewer_mean == {1: 8.0, 2: 4.0, 3: 6.0}
    assert stats.reviewer_sd == {1: 1.0, 2: 1.0, 3: 0.0}


def test_worked_example_raw_calibrated_spread_and_means():
    result = aggregate(REVIEWS, REVIEWS, threshold=2.0)
    one, two = result[1], result[2]
    assert one.z_scores == (1.0, 1.0, 0.0)
    assert rounded(one.raw) == 6.6667 and rounded(one.calibrated) == 7.3333
    assert one.spread == 4.0 and math.isclose(one.sd, math.sqrt(26) / 3)
    assert one.criterion_means == {"novelty": 7.0, "impact": 19 / 3}
    assert (two.raw, two.calibrated, two.spread, two.sd) == (5.0, 4.0, 4.0, 2.0)
    assert two.z_scores == (-1.0, -1.0)


def test_disagreement_flag_is_strictly_above_the_threshold():
    assert aggregate(REVIEWS, REVIEWS, threshold=2.0)[1].disagreement is True
    assert aggregate(REVIEWS, REVIEWS, threshold=4.0)[1].disagreement is False


def test_calibration_uses_every_review_of_the_reviewer_not_only_the_round():
    # Only initiative 2 is in this round; the reviewers' leniency still comes from all five reviews.
    round_two = [r for r in REVIEWS if r.initiative_id == 2]
    assert aggregate(round_two, REVIEWS)[2].calibrated == 4.0


def test_equal_totals_of_one_reviewer_fall_back_to_the_global_scale():
    reviews = [ScoredReview(1, 1, 1, 8.0), ScoredReview(2, 1, 2, 8.0), ScoredReview(3, 2, 1, 4.0)]
    # R1 has sd 0: z = (8 − M)/S with M = 20/3, S = sqrt(32/9); the result is the raw total again.
    result = aggregate(reviews, reviews)
    assert rounded(result[2].calibrated, 10) == 8.0


def test_initiative_without_reviews_is_listed_without_figures_and_ranked_last():
    result = aggregate(REVIEWS, REVIEWS, initiative_ids=[1, 2, 3])
    assert result[3].raw is None and result[3].reviews == 0 and result[3].disagreement is False
    assert [a.initiative_id for a in ranked(result.values(), "calibrated")] == [1, 2, 3]
    assert [a.initiative_id for a in ranked(result.values(), "raw", descending=False)] == [2, 1, 3]
