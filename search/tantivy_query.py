"""Query planning for the tantivy backend: typed text → tantivy queries.

Query semantics (the contract shared with Meilisearch) are in
search/matching.py: units, accent-aware stop words, strict then relaxed.
Here each unit becomes a query: a word matches its folded form in any
searchable field, and an exact-accent match scores higher; the last word is
also a prefix; a word of 3+ letters that is not in the index vocabulary and
is not a Vietnamese syllable matches the vocabulary words one edit away (same
first letter) — implemented here rather than with tantivy's fuzzy query,
which over-matches short syllables; a word written with marks that folds like
a stop word ("vệ" — về) matches only with its marks; synonyms are expanded at
query time so edits apply without reindexing.

Fields: ``f_<name>`` holds folded words, ``t_<name>`` the accent-preserving
form (:func:`search.text.accent_form`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from search.interface import IndexSettings
from search.matching import REQUIRED, SynonymTable, Unit, units
from search.syllables import is_syllable
from search.text import accent_form, fold, one_edit_apart, spellings

ACCENT_BONUS = 2.0  # exact-accent match weighs this much more than the folded one
PREFIX_WEIGHT = 0.6  # completions of the last word rank below the word itself
TYPO_WEIGHT = 0.5
PREFIX_EXPANSIONS = 30
PROXIMITY_WEIGHT = 3.0  # adjacent query words found side by side
PROXIMITY_FIELDS = 3  # in the most important fields only (title, keywords, summary)


def weights(fields: Sequence[str]) -> list[tuple[str, float]]:
    """Earlier (more important) fields weigh more: 1, 0.71, 0.5, 0.35 …"""
    return [(name, 2 ** (-rank / 2)) for rank, name in enumerate(fields)]


def _terms(words: Sequence[str]) -> list[str | tuple[int, str]]:
    """Words as ``phrase_query`` takes them."""
    return list(words)


def _should(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    return TQ.boolean_query([(Occur.Should, q) for q in queries])


@dataclass
class PlannedUnit:
    unit: Unit
    query: tantivy.Query

    @property
    def required(self) -> bool:
        return self.unit.role == REQUIRED


@dataclass
class Plan:
    """A parsed text query: one query per unit and what counts as a matched word."""

    units: list[PlannedUnit] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)  # folded words that match
    exact: set[str] = field(default_factory=set)  # accent forms that match only as written
    corrections: list[str] = field(default_factory=list)
    proximity: list[tantivy.Query] = field(default_factory=list)  # scoring only
    dictionary: list[str] = field(default_factory=list)  # synonym words typos were read as

    def matches(self, word: str) -> bool:
        return fold(word) in self.terms or accent_form(word) in self.exact

    @property
    def required(self) -> list[PlannedUnit]:
        return [u for u in self.units if u.required]

    @property
    def optional(self) -> list[PlannedUnit]:
        return [u for u in self.units if not u.required]

    def combine(
        self, required: Sequence[PlannedUnit], boost: Sequence[PlannedUnit] = ()
    ) -> tantivy.Query | None:
        """Every unit of ``required`` must match; ``boost`` (and the optional
        units) only add to the score.  None for an empty query."""
        boost = [*boost, *self.optional]
        if not required:
            return _should([u.query for u in boost]) if boost else None
        return TQ.boolean_query(
            [(Occur.Must, u.query) for u in required]
            + [(Occur.Should, u.query) for u in boost]
            + [(Occur.Should, q) for q in self.proximity]
        )

    def matching(
        self, required: Sequence[PlannedUnit], boost: Sequence[PlannedUnit] = ()
    ) -> tantivy.Query | None:
        """The documents ``combine(required, boost)`` finds, without what only scores them.

        With a required unit, the optional units, the boosts and the proximity phrases
        (``Should`` beside a ``Must``) change the order, never the set; the phrases cost
        two thirds of a two-word query over many documents (position checks in each). A
        count, the facets and a sort by a field ask for the set alone."""
        if not required:  # then any unit matches: the set is theirs
            return self.combine(required, boost)
        return TQ.boolean_query([(Occur.Must, u.query) for u in required])

    @property
    def query(self) -> tantivy.Query | None:
        """The strict query."""
        return self.combine(self.required)


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

    def _exact_word(self, word: str, fields: Sequence[str], plan: Plan) -> tantivy.Query:
        plan.exact.add(accent_form(word))
        return _should(
            [
                TQ.boost_query(
                    TQ.term_query(self._schema, f"t_{name}", accent_form(word)),
                    weight * ACCENT_BONUS,
                )
                for name, weight in weights(fields)
            ]
        )

    def _word(
        self,
        searcher: tantivy.Searcher,
        word: str,
        fields: Sequence[str],
        plan: Plan,
        *,
        prefix: bool,
        typed: bool,
        exact: bool = False,
    ) -> tantivy.Query:
        """All ways one word may match, as a should-query over the fields.

        Only ``typed`` words (not synonym expansions) get typo correction;
        an ``exact`` word matches only as written."""
        if exact:
            return self._exact_word(word, fields, plan)
        folded = fold(word)
        known = any(searcher.doc_freq(f"f_{name}", folded) for name in fields)
        terms = {folded: 1.0} if known else {}
        if prefix:
            for term, _ in self._field_terms(
                searcher, folded, fields, PREFIX_EXPANSIONS
            ).most_common(PREFIX_EXPANSIONS):
                terms.setdefault(term, PREFIX_WEIGHT)
        typo = self.settings.typo
        if (
            not terms
            and typed
            and typo.enabled
            and len(folded) >= typo.min_word_size
            and not is_syllable(folded)
        ):
            vocabulary = self._field_terms(searcher, folded[0], fields, None)
            for term, _ in vocabulary.most_common():
                if abs(len(term) - len(folded)) <= 1 and one_edit_apart(folded, term):
                    terms[term] = TYPO_WEIGHT
                    plan.corrections.append(term)
        terms = terms or {folded: 1.0}  # matches nothing: the unit then fails, as it should
        plan.terms.update(terms)
        clauses = []
        for name, weight in weights(fields):
            for term, w in terms.items():
                clauses.append(
                    TQ.boost_query(TQ.term_query(self._schema, f"f_{name}", term), weight * w)
                )
            if known:
                as_written = TQ.term_query(self._schema, f"t_{name}", accent_form(word))
                clauses.append(TQ.boost_query(as_written, weight * ACCENT_BONUS))
        return _should(clauses)

    def _phrase(self, words: tuple[str, ...], fields: Sequence[str], plan: Plan) -> tantivy.Query:
        folded = [fold(w) for w in words]
        plan.terms.update(folded)
        clauses = [
            TQ.boost_query(TQ.phrase_query(self._schema, f"f_{name}", _terms(folded)), weight)
            for name, weight in weights(fields)
        ]
        return _should(clauses)

    def plan(
        self,
        searcher: tantivy.Searcher,
        text: str,
        fields: Sequence[str],
        synonyms: SynonymTable,
    ) -> Plan:
        """Turn typed text into one query per unit (search/matching.py);
        a synonym unit matches its own words or any equivalent."""
        plan = Plan()
        found = units(text, self.settings.stop_words, synonyms)
        for k, unit in enumerate(found):
            is_last = k == len(found) - 1
            if unit.key is None and len(unit.words) == 1:
                unit = self._synonym_typo(searcher, unit, fields, synonyms, plan, is_last)
            own = [
                self._word(
                    searcher,
                    w,
                    fields,
                    plan,
                    prefix=is_last and j == len(unit.words) - 1,
                    typed=True,
                    exact=w in unit.exact,
                )
                for j, w in enumerate(unit.words)
            ]
            alternatives = [
                own[0] if len(own) == 1 else TQ.boolean_query([(Occur.Must, q) for q in own])
            ]
            for other in synonyms.equivalents.get(unit.key, []) if unit.key else []:
                if len(other) == 1:
                    alternatives.append(
                        self._word(searcher, other[0], fields, plan, prefix=False, typed=False)
                    )
                else:
                    alternatives.append(self._phrase(other, fields, plan))
            plan.units.append(PlannedUnit(unit, _should(alternatives)))
            if unit.key and len(unit.key) > 1:
                # "ve tinh" stands for the dictionary's "vệ tinh": that spelling ranks first
                plan.proximity.extend(
                    TQ.boost_query(
                        TQ.phrase_query(self._schema, f"t_{name}", _terms(unit.key)),
                        weight * PROXIMITY_WEIGHT * ACCENT_BONUS,
                    )
                    for name, weight in weights(fields)
                )
        words = [fold(w) for u in found for w in u.words]
        for a, b in zip(words, words[1:], strict=False):
            plan.proximity.extend(
                TQ.boost_query(
                    TQ.phrase_query(self._schema, f"f_{name}", _terms([a, b])),
                    weight * PROXIMITY_WEIGHT,
                )
                for name, weight in weights(fields)[:PROXIMITY_FIELDS]
            )
        return plan

    def _synonym_typo(
        self,
        searcher: tantivy.Searcher,
        unit: Unit,
        fields: Sequence[str],
        synonyms: SynonymTable,
        plan: Plan,
        is_last: bool,
    ) -> Unit:
        """A word the index does not hold, not a syllable, one edit from a
        dictionary word (hydrogne → hydrogen) stands for that entry."""
        word = unit.words[0]
        folded = fold(word)
        typo = self.settings.typo
        if (
            not typo.enabled
            or len(folded) < typo.min_word_size
            or is_syllable(folded)
            or any(searcher.doc_freq(f"f_{name}", folded) for name in fields)
            or (is_last and self._field_terms(searcher, folded, fields, 1))
        ):
            return unit
        key = synonyms.near(word)
        if key is None:
            return unit
        plan.corrections.append(key[0])
        plan.dictionary.append(key[0])
        return dataclasses.replace(unit, key=key)

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
