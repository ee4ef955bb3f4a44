"""Expertise matching and automatic reviewer assignment for a batch.

Pure functions over plain values (no database), so the guarantees can be
tested on generated data:

- every initiative gets as many reviewers as it still needs, as far as the
  reviewers' capacity allows (the number of assignments is maximal);
- no reviewer goes above the maximum load, counting the open reviews they
  already have in any round;
- a conflicted pair, or a reviewer already on (or who declined) the
  initiative, is never proposed;
- among all assignments of that maximal size, the total expertise match is
  the largest possible;
- the same input gives the same output.

This is a min-cost max-flow problem: source → initiative (capacity = slots
still open) → reviewer (capacity 1, cost = −match) → sink (capacity = free
load). It is solved exactly by successive shortest paths with Dijkstra on
reduced costs; nodes are numbered in ascending initiative and reviewer id
order and ties in the priority queue break by node number, which makes the
result deterministic.

The match score (0–1) of a reviewer for an initiative is
``0.4 × field + 0.6 × cosine``: ``field`` is 1 when the initiative's field is
one of the reviewer's expertise fields; ``cosine`` is the cosine similarity of
the binary term vectors of the reviewer's expertise keywords and of the
initiative's keywords, title and summary, after Vietnamese folding (the
search engine's `fold`, so "năng lượng" matches "nang luong") and without a
few function words.

With an embedding model (`app.matching.recommend.closeness`), the semantic
closeness of the reviewer's expertise and the initiative joins the score:
``0.3 × field + 0.35 × cosine + 0.35 × meaning``, where ``meaning`` maps the
embedding cosine from [MEANING_LOW, MEANING_HIGH] onto [0, 1], so paraphrases
("tưới tiết kiệm" for "tưới nhỏ giọt") count although no word is shared. It
only changes edge costs: conflicts, exclusions, capacities and loads are the
same hard constraints as without a model.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from search.text import fold, tokenize

FIELD_WEIGHT = 0.4
TERMS_WEIGHT = 0.6
SEMANTIC_WEIGHTS = (0.3, 0.35, 0.35)  # field, terms, meaning (with a model)
MEANING_LOW, MEANING_HIGH = 0.78, 0.92  # e5 query cosines: unrelated ≤ ~0.8, same topic ≥ ~0.9
COST_SCALE = 1_000_000  # match scores become integer costs: exact comparisons, no float drift

# Folded Vietnamese and English function words that say nothing about expertise.
STOPWORDS = frozenset(
    {
        "va",
        "cua",
        "cac",
        "cho",
        "voi",
        "trong",
        "la",
        "mot",
        "nhung",
        "duoc",
        "tren",
        "tai",
        "ve",
        "tu",
        "khi",
        "nay",
        "do",
        "de",
        "co",
        "khong",
        "theo",
        "the",
        "and",
        "of",
        "for",
        "in",
        "on",
        "to",
        "a",
        "an",
    }
)


def terms(text: str) -> frozenset[str]:
    """The folded, meaningful words of a text."""
    return frozenset(
        t for t in (fold(w) for w in tokenize(text)) if len(t) > 1 and t not in STOPWORDS
    )


@dataclass(frozen=True)
class Expertise:
    reviewer_id: int
    keywords: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    initiative_id: int
    keywords: tuple[str, ...] = ()
    field: str | None = None
    text: str = ""  # title and public summary


@dataclass(frozen=True)
class Match:
    score: float
    matched_keywords: tuple[str, ...]
    field_match: bool
    closeness: float | None = None  # embedding cosine, when a model is installed

    def explanation(self, load_after: int, max_load: int) -> dict:
        """Why this reviewer: stored with the assignment and shown to the coordinator."""
        return {
            "score": round(self.score, 4),
            "matched_keywords": list(self.matched_keywords),
            "field_match": self.field_match,
            **({} if self.closeness is None else {"closeness": round(self.closeness, 4)}),
            "load": load_after,
            "max_load": max_load,
        }


def meaning(closeness: float) -> float:
    """An embedding cosine as a 0–1 share of the score."""
    return min(1.0, max(0.0, (closeness - MEANING_LOW) / (MEANING_HIGH - MEANING_LOW)))


def match(expertise: Expertise, subject: Subject, closeness: float | None = None) -> Match:
    """The reviewer's expertise match for the initiative (see the module docstring)."""
    subject_terms = terms(" ".join((*subject.keywords, subject.text)))
    reviewer_terms = terms(" ".join(expertise.keywords))
    common = reviewer_terms & subject_terms
    cosine = len(common) / math.sqrt(len(reviewer_terms) * len(subject_terms)) if common else 0.0
    field_match = subject.field is not None and fold(subject.field) in {
        fold(f) for f in expertise.fields
    }
    matched = tuple(k for k in expertise.keywords if terms(k) and terms(k) <= subject_terms)
    if closeness is None:
        return Match(FIELD_WEIGHT * field_match + TERMS_WEIGHT * cosine, matched, field_match)
    wf, wt, wm = SEMANTIC_WEIGHTS
    score = wf * field_match + wt * cosine + wm * meaning(closeness)
    return Match(score, matched, field_match, closeness)


@dataclass(frozen=True)
class Need:
    """An initiative of the batch and how many more reviewers it needs."""

    subject: Subject
    slots: int
    exclude: frozenset[int] = frozenset()  # already invited, accepted, submitted or declined


@dataclass(frozen=True)
class Candidate:
    expertise: Expertise
    load: int = 0  # open reviews (invited or accepted, not submitted) in any round


@dataclass(frozen=True)
class Proposal:
    initiative_id: int
    reviewer_id: int
    match: Match
    load_after: int
    max_load: int


@dataclass(frozen=True)
class Plan:
    proposals: tuple[Proposal, ...]
    missing: dict[int, int] = field(default_factory=dict)  # initiative id -> slots left open

    @property
    def total_match(self) -> float:
        return sum(p.match.score for p in self.proposals)


class _Graph:
    """Residual graph for min-cost flow (edge lists of [to, capacity, cost, reverse index])."""

    def __init__(self, size: int) -> None:
        self.adj: list[list[list[int]]] = [[] for _ in range(size)]

    def add(self, u: int, v: int, cap: int, cost: int) -> None:
        self.adj[u].append([v, cap, cost, len(self.adj[v])])
        self.adj[v].append([u, 0, -cost, len(self.adj[u]) - 1])

    def min_cost_max_flow(self, source: int, sink: int, potential: list[int]) -> None:
        """Augment one unit at a time along cheapest paths until no path is left."""
        size = len(self.adj)
        inf = float("inf")
        while True:
            dist: list[float] = [inf] * size
            prev: list[tuple[int, int] | None] = [None] * size
            dist[source] = 0
            heap = [(0, source)]
            while heap:
                d, u = heapq.heappop(heap)
                if d > dist[u]:
                    continue
                for i, (v, cap, cost, _rev) in enumerate(self.adj[u]):
                    if cap <= 0:
                        continue
                    nd = d + cost + potential[u] - potential[v]
                    if nd < dist[v]:
                        dist[v], prev[v] = nd, (u, i)
                        heapq.heappush(heap, (nd, v))
            if dist[sink] == inf:
                return
            for node in range(size):
                if dist[node] < inf:
                    potential[node] += int(dist[node])
            v = sink
            while v != source:
                u, i = prev[v]  # type: ignore[misc]
                edge = self.adj[u][i]
                edge[1] -= 1
                self.adj[v][edge[3]][1] += 1
                v = u


def plan(
    needs: Sequence[Need],
    candidates: Iterable[Candidate],
    conflicts: Iterable[tuple[int, int]],
    max_load: int,
    closeness: Mapping[tuple[int, int], float] | None = None,
) -> Plan:
    """The best assignment for the batch; `conflicts` holds (reviewer id, initiative id) pairs,
    `closeness` the embedding cosines by (reviewer id, initiative id) when a model is used."""
    closeness = closeness or {}
    needs = sorted((n for n in needs if n.slots > 0), key=lambda n: n.subject.initiative_id)
    people = sorted(
        (c for c in candidates if c.load < max_load), key=lambda c: c.expertise.reviewer_id
    )
    blocked = set(conflicts)
    source, sink = 0, 1 + len(needs) + len(people)
    graph = _Graph(sink + 1)
    matches: dict[tuple[int, int], Match] = {}
    reviewer_node = {c.expertise.reviewer_id: 1 + len(needs) + k for k, c in enumerate(people)}
    potential = [0] * (sink + 1)
    for k, need in enumerate(needs):
        graph.add(source, 1 + k, need.slots, 0)
        for person in people:
            rid, iid = person.expertise.reviewer_id, need.subject.initiative_id
            if (rid, iid) in blocked or rid in need.exclude:
                continue
            found = match(person.expertise, need.subject, closeness.get((rid, iid)))
            matches[(1 + k, reviewer_node[rid])] = found
            cost = -round(found.score * COST_SCALE)
            graph.add(1 + k, reviewer_node[rid], 1, cost)
            potential[reviewer_node[rid]] = min(potential[reviewer_node[rid]], cost)
    for person in people:
        node = reviewer_node[person.expertise.reviewer_id]
        graph.add(node, sink, max_load - person.load, 0)
        potential[sink] = min(potential[sink], potential[node])
    graph.min_cost_max_flow(source, sink, potential)

    load = {c.expertise.reviewer_id: c.load for c in people}
    proposals: list[Proposal] = []
    missing: dict[int, int] = {}
    for k, need in enumerate(needs):
        chosen = [
            (v, matches[(1 + k, v)])
            for v, cap, _c, _r in graph.adj[1 + k]
            if v != source and cap == 0 and (1 + k, v) in matches
        ]
        chosen.sort(key=lambda item: (-item[1].score, item[0]))
        for node, found in chosen:
            rid = people[node - 1 - len(needs)].expertise.reviewer_id
            load[rid] += 1
            proposals.append(Proposal(need.subject.initiative_id, rid, found, load[rid], max_load))
        if len(chosen) < need.slots:
            missing[need.subject.initiative_id] = need.slots - len(chosen)
    return Plan(tuple(proposals), missing)
