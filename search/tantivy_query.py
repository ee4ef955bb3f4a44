"""Query planning for the tantivy backend: typed text → a tantivy query.

Query semantics (the contract shared with Meilisearch): every query word must
match (AND); a word matches its folded form in any searchable field, and an
exact-accent match scores higher; the last word is also a prefix; a word of
4+ letters that is not in the index vocabulary matches the vocabulary words
one edit away (same first letter) — implemented here rather than with
tantivy's fuzzy query, which over-matches short syllables; synonyms are
expanded at query time so edits apply without reindexing.

Fields: ``f_<name>`` holds folded words, ``t_<name>`` the accent-preserving
form (:func:`search.text.accent_form`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from search.interface import IndexSettings
from search.text import accent_form, fold, one_edit_apart, spellings, tokenize

ACCENT_BONUS = 2.0  # exact-accent match weighs this much more than the folded one
PREFIX_WEIGHT = 0.6  # completions of the last word rank below the word itself
TYPO_WEIGHT = 0.5
PREFIX_EXPANSIONS = 30

Synonyms = dict[tuple[str, ...], list[tuple[str, ...]]]  # folded phrase → equivalent phrases


def weights(fields: Sequence[str]) -> list[tuple[str, float]]:
    """Earlier (more important) fields weigh more: 1, 0.71, 0.5, 0.35 …"""
    return [(name, 2 ** (-rank / 2)) for rank, name in enumerate(fields)]


@dataclass
class Plan:
    """A parsed text query: the tantivy query and what counts as a matched word."""

    query: tantivy.Query | None = None
    terms: set[str] = field(default_factory=set)
    corrections: list[str] = field(default_factory=list)

    def matches(self, word: str) -> bool:
        return fold(word) in self.terms


class Planner:
    """Builds queries against one schema with one index's settings."""

    def __init__(self, schema: tantivy.Schema, settings: IndexSettings):
        self._schema = schema
        self.settings = settings

    def _field_terms(
        self, searcher: tantivy.Searcher, prefix: str, fields: Sequence[str], limit: int | None
    ) -> Counter:
        counts: Counter = Counter()
        for name in fields:
            for term, freq in searcher.terms_with_prefix(f"f_{name}", prefix, limit=limit):
                counts[term] += freq
        return counts

    def _word(
        self, searcher, word: str, fields: Sequence[str], plan: Plan, *, prefix: bool, typed: bool
    ) -> tantivy.Query:
        """All ways one word may match, as a should-query over the fields.

        Only ``typed`` words (not synonym expansions) get typo correction."""
        folded = fold(word)
        known = any(searcher.doc_freq(f"f_{name}", folded) for name in fields)
        terms = {folded: 1.0} if known else {}
        if prefix:
            for term, _ in self._field_terms(
                searcher, folded, fields, PREFIX_EXPANSIONS
            ).most_common(PREFIX_EXPANSIONS):
                terms.setdefault(term, PREFIX_WEIGHT)
        typo = self.settings.typo
        if not terms and typed and typo.enabled and len(folded) >= typo.min_word_size:
            vocabulary = self._field_terms(searcher, folded[0], fields, None)
            for term, _ in vocabulary.most_common():
                if abs(len(term) - len(folded)) <= 1 and one_edit_apart(folded, term):
                    terms[term] = TYPO_WEIGHT
                    plan.corrections.append(term)
        terms = terms or {folded: 1.0}  # matches nothing: the AND then fails, as it should
        plan.terms.update(terms)
        clauses = []
        for name, weight in weights(fields):
            for term, w in terms.items():
                clauses.append(
                    TQ.boost_query(TQ.term_query(self._schema, f"f_{name}", term), weight * w)
                )
            if known:
                exact = TQ.term_query(self._schema, f"t_{name}", accent_form(word))
                clauses.append(TQ.boost_query(exact, weight * ACCENT_BONUS))
        return TQ.boolean_query([(Occur.Should, c) for c in clauses])

    def _phrase(self, words: tuple[str, ...], fields: Sequence[str], plan: Plan) -> tantivy.Query:
        folded = [fold(w) for w in words]
        plan.terms.update(folded)
        clauses = [
            TQ.boost_query(
                TQ.phrase_query(self._schema, f"f_{name}", list[str | tuple[int, str]](folded)),
                weight,
            )
            for name, weight in weights(fields)
        ]
        return TQ.boolean_query([(Occur.Should, c) for c in clauses])

    def plan(
        self, searcher: tantivy.Searcher, text: str, fields: Sequence[str], synonyms: Synonyms
    ) -> Plan:
        """Turn typed text into a query: stop words dropped, synonym spans
        expanded (longest first), every remaining unit required."""
        plan = Plan()
        stop = {fold(w) for w in self.settings.stop_words}
        words = tokenize(text)
        words = [w for w in words if fold(w) not in stop] or words
        if not words:
            return plan
        longest = max((len(k) for k in synonyms), default=1)
        units, k = [], 0
        while k < len(words):
            for size in range(min(longest, len(words) - k), 0, -1):
                span = tuple(words[k : k + size])
                if tuple(fold(w) for w in span) in synonyms or size == 1:
                    break
            is_last = k + size == len(words)
            own = [
                self._word(searcher, w, fields, plan, prefix=is_last and j == size - 1, typed=True)
                for j, w in enumerate(span)
            ]
            alternatives = [
                own[0] if size == 1 else TQ.boolean_query([(Occur.Must, q) for q in own])
            ]
            for other in synonyms.get(tuple(fold(w) for w in span), []):
                if len(other) == 1:
                    alternatives.append(
                        self._word(searcher, other[0], fields, plan, prefix=False, typed=False)
                    )
                else:
                    alternatives.append(self._phrase(other, fields, plan))
            units.append(TQ.boolean_query([(Occur.Should, q) for q in alternatives]))
            k += size
        plan.query = TQ.boolean_query([(Occur.Must, q) for q in units])
        return plan

    def accented(self, searcher: tantivy.Searcher, folded: str, fields: Sequence[str]) -> str:
        """The most frequent indexed spelling of a folded word: with no hit to
        take the words from, the suggestion still carries accents."""
        counts: Counter = Counter()
        for letter in spellings(folded[0]):
            for name in fields:
                for term, freq in searcher.terms_with_prefix(f"t_{name}", letter):
                    if fold(term) == folded:
                        counts[term] += freq
        return counts.most_common(1)[0][0] if counts else folded
