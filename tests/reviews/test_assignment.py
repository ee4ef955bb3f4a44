"""Automatic assignment: exact guarantees on generated data, and the match score."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from app.reviews.assignment import Candidate, Expertise, Need, Subject, match, plan

VOCABULARY = [
    "năng lượng mặt trời",
    "pin lưu trữ",
    "lúa gạo",
    "thủy sản",
    "logistics",
    "cảng biển",
    "trí tuệ nhân tạo",
    "y tế số",
    "vật liệu mới",
    "xây dựng",
    "ngân hàng số",
    "giáo dục",
]
FIELDS = ["industry", "agriculture", "transport", "society", "finance"]


def generated(
    seed: int, initiatives: int, reviewers: int, wanted: int, conflict_rate: float = 0.15
):
    rng = random.Random(seed)
    needs = [
        Need(
            Subject(
                i,
                tuple(rng.sample(VOCABULARY, 3)),
                rng.choice(FIELDS),
                "Giải pháp " + " ".join(rng.sample(VOCABULARY, 2)),
            ),
            wanted,
        )
        for i in range(1, initiatives + 1)
    ]
    people = [
        Candidate(
            Expertise(100 + r, tuple(rng.sample(VOCABULARY, 2)), tuple(rng.sample(FIELDS, 2))),
            load=rng.randint(0, 1),
        )
        for r in range(reviewers)
    ]
    conflicts = {
        (p.expertise.reviewer_id, n.subject.initiative_id)
        for p in people
        for n in needs
        if rng.random() < conflict_rate
    }
    return needs, people, conflicts


@pytest.mark.parametrize("seed", range(8))
def test_no_conflict_and_no_load_above_maximum(seed):
    needs, people, conflicts = generated(seed, initiatives=20, reviewers=12, wanted=3)
    result = plan(needs, people, conflicts, max_load=6)
    assert not {(p.reviewer_id, p.initiative_id) for p in result.proposals} & conflicts
    load = Counter(p.reviewer_id for p in result.proposals)
    for person in people:
        assert person.load + load[person.expertise.reviewer_id] <= 6
    pairs = [(p.initiative_id, p.reviewer_id) for p in result.proposals]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("seed", range(8))
def test_every_initiative_covered_when_capacity_allows(seed):
    needs, people, conflicts = generated(seed, initiatives=20, reviewers=12, wanted=3)
    result = plan(needs, people, conflicts, max_load=8)  # capacity ≥ 12·7 = 84 > 60 slots
    assert result.missing == {}
    assert Counter(p.initiative_id for p in result.proposals) == {
        n.subject.initiative_id: 3 for n in needs
    }


def test_under_coverage_is_reported_with_the_missing_slots():
    needs, people, _ = generated(1, initiatives=10, reviewers=4, wanted=3, conflict_rate=0)
    people = [Candidate(p.expertise, load=0) for p in people]
    result = plan(needs, people, set(), max_load=5)  # 4·5 = 20 reviews for 30 slots
    assert len(result.proposals) == 20
    assert sum(result.missing.values()) == 10
    covered = Counter(p.initiative_id for p in result.proposals)
    assert all(covered[i] + missing == 3 for i, missing in result.missing.items())


def test_a_conflict_that_leaves_too_few_reviewers_is_reported():
    needs = [Need(Subject(1, ("lúa gạo",), "agriculture"), 2)]
    people = [Candidate(Expertise(7, ("lúa gạo",))), Candidate(Expertise(8, ("lúa gạo",)))]
    result = plan(needs, people, {(8, 1)}, max_load=3)
    assert [(p.initiative_id, p.reviewer_id) for p in result.proposals] == [(1, 7)]
    assert result.missing == {1: 1}


def test_excluded_reviewers_and_full_reviewers_are_not_proposed():
    needs = [Need(Subject(1, ("lúa gạo",)), 1, exclude=frozenset({7}))]
    people = [
        Candidate(Expertise(7, ("lúa gạo",))),
        Candidate(Expertise(8, ("lúa gạo",)), load=2),
        Candidate(Expertise(9, ("xây dựng",))),
    ]
    assert [p.reviewer_id for p in plan(needs, people, set(), max_load=2).proposals] == [9]


@pytest.mark.parametrize("seed", range(3))
def test_deterministic_for_the_same_input(seed):
    needs, people, conflicts = generated(seed, initiatives=15, reviewers=9, wanted=2)
    first = plan(needs, people, conflicts, max_load=4)
    again = plan(list(reversed(needs)), list(reversed(people)), set(conflicts), max_load=4)
    assert first == again


def _brute_force(needs, people, conflicts, max_load):
    """Best (count, total match) over every subset of feasible pairs: small instances only."""
    pairs = [
        (n, p)
        for n in needs
        for p in people
        if (p.expertise.reviewer_id, n.subject.initiative_id) not in conflicts
    ]
    best = (0, 0)
    for mask in itertools.product((0, 1), repeat=len(pairs)):
        chosen = [pair for pair, bit in zip(pairs, mask, strict=False) if bit]
        per_need = Counter(n.subject.initiative_id for n, _ in chosen)
        per_person = Counter(p.expertise.reviewer_id for _, p in chosen)
        if any(per_need[n.subject.initiative_id] > n.slots for n in needs):
            continue
        if any(per_person[p.expertise.reviewer_id] + p.load > max_load for p in people):
            continue
        total = sum(round(match(p.expertise, n.subject).score * 1_000_000) for n, p in chosen)
        best = max(best, (len(chosen), total))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_maximal_coverage_then_maximal_match_against_brute_force(seed):
    needs, people, conflicts = generated(
        seed, initiatives=3, reviewers=4, wanted=2, conflict_rate=0.2
    )
    result = plan(needs, people, conflicts, max_load=2)
    total = sum(round(p.match.score * 1_000_000) for p in result.proposals)
    assert (len(result.proposals), total) == _brute_force(needs, people, conflicts, 2)


def test_match_folds_vietnamese_and_explains_itself():
    reviewer = Expertise(1, ("năng lượng mặt trời", "lúa gạo"), ("industry",))
    subject = Subject(9, ("nang luong mat troi",), "industry", "Pin lưu trữ cho điện mặt trời")
    found = match(reviewer, subject)
    # reviewer terms {nang, luong, mat, troi, lua, gao}; subject terms {nang, luong, mat, troi, pin, luu, tru, dien}
    # cosine = 4 / sqrt(6·8); score = 0.4 + 0.6·4/sqrt(48)
    assert round(found.score, 6) == round(0.4 + 0.6 * 4 / 48**0.5, 6)
    assert found.matched_keywords == ("năng lượng mặt trời",) and found.field_match is True
    assert found.explanation(load_after=2, max_load=5) == {
        "score": round(found.score, 4),
        "matched_keywords": ["năng lượng mặt trời"],
        "field_match": True,
        "load": 2,
        "max_load": 5,
    }


def test_no_expertise_is_no_match():
    assert match(Expertise(1), Subject(2, ("lúa gạo",), "agriculture", "Giống lúa")).score == 0.0


# -- with semantic closeness (issue #14, use 4): the same hard rules, a different cost ------


def generated_closeness(seed: int, needs, people) -> dict[tuple[int, int], float]:
    rng = random.Random(1000 + seed)
    return {
        (p.expertise.reviewer_id, n.subject.initiative_id): rng.uniform(0.7, 0.95)
        for p in people
        for n in needs
    }


@pytest.mark.parametrize("seed", range(8))
def test_semantic_cost_keeps_conflicts_loads_and_coverage(seed):
    needs, people, conflicts = generated(seed, initiatives=20, reviewers=12, wanted=3)
    near = generated_closeness(seed, needs, people)
    result = plan(needs, people, conflicts, max_load=8, closeness=near)
    assert not {(p.reviewer_id, p.initiative_id) for p in result.proposals} & conflicts
    load = Counter(p.reviewer_id for p in result.proposals)
    for person in people:
        assert person.load + load[person.expertise.reviewer_id] <= 8
    assert result.missing == {}  # the same capacity covers every slot, as without a model
    assert Counter(p.initiative_id for p in result.proposals) == {
        n.subject.initiative_id: 3 for n in needs
    }
    for p in result.proposals:
        assert p.match.closeness == near[(p.reviewer_id, p.initiative_id)]
        assert p.match.explanation(1, 8)["closeness"] == round(p.match.closeness, 4)


@pytest.mark.parametrize("seed", range(4))
def test_semantic_cost_is_still_optimal_against_brute_force(seed):
    needs, people, conflicts = generated(
        seed, initiatives=3, reviewers=4, wanted=2, conflict_rate=0.2
    )
    near = generated_closeness(seed, needs, people)
    result = plan(needs, people, conflicts, max_load=2, closeness=near)
    total = sum(round(p.match.score * 1_000_000) for p in result.proposals)
    best = (0, 0)
    pairs = [
        (n, p)
        for n in needs
        for p in people
        if (p.expertise.reviewer_id, n.subject.initiative_id) not in conflicts
    ]
    for mask in itertools.product((0, 1), repeat=len(pairs)):
        chosen = [pair for pair, bit in zip(pairs, mask, strict=False) if bit]
        per_need = Counter(n.subject.initiative_id for n, _ in chosen)
        per_person = Counter(p.expertise.reviewer_id for _, p in chosen)
        if any(per_need[n.subject.initiative_id] > n.slots for n in needs):
            continue
        if any(per_person[p.expertise.reviewer_id] + p.load > 2 for p in people):
            continue
        score = sum(
            round(
                match(
                    p.expertise, n.subject, near[(p.expertise.reviewer_id, n.subject.initiative_id)]
                ).score
                * 1_000_000
            )
            for n, p in chosen
        )
        best = max(best, (len(chosen), score))
    assert (len(result.proposals), total) == best


def test_closeness_lets_a_paraphrase_win_without_a_shared_word():
    subject = Subject(1, ("tưới nhỏ giọt",), "agriculture", "Tưới nhỏ giọt cho cà phê")
    needs = [Need(subject, 1)]
    people = [
        Candidate(Expertise(7, ("cấp nước tiết kiệm",), ("agriculture",))),
        Candidate(Expertise(8, ("kế toán",), ("agriculture",))),
    ]
    without = plan(needs, people, set(), max_load=2)
    assert [p.reviewer_id for p in without.proposals] == [7]  # a tie broken by id
    near = {(7, 1): 0.91, (8, 1): 0.79}
    chosen = plan(needs, people, set(), max_load=2, closeness=near).proposals
    assert [p.reviewer_id for p in chosen] == [7]
    assert chosen[0].match.score == pytest.approx(0.3 + 0.35 * (0.91 - 0.78) / 0.14)
    reversed_near = {(7, 1): 0.79, (8, 1): 0.91}
    chosen = plan(needs, people, set(), max_load=2, closeness=reversed_near).proposals
    assert [p.reviewer_id for p in chosen] == [8]
    assert (
        plan(needs, people, {(8, 1)}, max_load=2, closeness=reversed_near).proposals[0].reviewer_id
        == 7
    )  # a conflict stays a hard rule, however close
