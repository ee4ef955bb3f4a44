"""The engine-neutral search interface and its plain data types.

The application talks only to :class:`Engine`; the embedded tantivy backend
(development, CI, small deployments) and the Meilisearch backend (production)
both implement it, and one contract test suite holds them to the same
behaviour.  Filters are neutral (OR within a field, AND across fields, ranges
for numbers and timestamps); each backend translates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from search.matching import keep_casing, typed_words
from search.syllables import is_syllable
from search.text import fold, nfc, one_edit_apart
from search.vectors import checked

SynonymGroups = tuple[tuple[str, ...], ...]


class SearchUnavailable(Exception):
    """The engine cannot be reached or opened; callers (the outbox) retry later."""


@dataclass(frozen=True)
class TypoSettings:
    """One edit for words of ``min_word_size`` letters or more that are not
    Vietnamese syllables (both engines)."""

    enabled: bool = True
    min_word_size: int = 3


@dataclass(frozen=True)
class DocumentSchema:
    """The fields a document kind may carry, by type: anything else is refused
    (:meth:`check`), so a careless caller cannot put private data in an index."""

    text: tuple[str, ...]
    lists: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()

    def check(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A clean copy of ``doc`` (None values left out); ValueError on an
        unknown or ill-typed field or a missing id."""
        unknown = set(doc) - set(self.text) - set(self.lists) - set(self.ints)
        if unknown:
            raise ValueError(f"unknown document fields: {sorted(unknown)}")
        if not isinstance(doc.get("id"), str) or not doc["id"]:
            raise ValueError("document needs a non-empty string id")
        clean: dict[str, Any] = {}
        for name, value in doc.items():
            if value is None:
                continue
            if name in self.ints and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"{name} must be an int, got {value!r}")
            if name in self.lists and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ValueError(f"{name} must be a list of strings")
            if name in self.text and not isinstance(value, str):
                raise ValueError(f"{name} must be a string, got {value!r}")
            clean[name] = value
        return clean


@dataclass(frozen=True)
class IndexSettings:
    """An index's settings, kept as code and applied idempotently.

    ``searchable`` is ordered by importance (earlier fields weigh more).
    ``numeric`` lists integer fields (filters/ranges/sort compare numbers;
    dates are unix timestamps).  ``synonyms`` are symmetric groups.
    ``schema`` is the document kind's whitelist of fields; a filterable field
    may hold a list (a document then matches any of its values).  ``vector``
    is the dimension of the vectors documents may carry (``_vector``), 0 for
    none (search/vectors.py).
    """

    searchable: tuple[str, ...]
    filterable: tuple[str, ...]
    sortable: tuple[str, ...]
    numeric: tuple[str, ...]
    highlighted: tuple[str, ...]
    similar_on: tuple[str, ...]
    synonyms: SynonymGroups = ()
    stop_words: tuple[str, ...] = ()
    typo: TypoSettings = TypoSettings()
    max_total_hits: int = 100_000
    max_facet_values: int = 200
    vector: int = 0
    schema: DocumentSchema = DocumentSchema(text=("id",))


def normalise_synonyms(groups: Iterable[Iterable[str]]) -> SynonymGroups:
    """Lower-case, dedupe and sort synonym groups so settings compare stably."""
    cleaned = {tuple(sorted({" ".join(w.lower().split()) for w in g if w.strip()})) for g in groups}
    return tuple(sorted(g for g in cleaned if len(g) > 1))


def synonym_map(groups: SynonymGroups) -> dict[str, list[str]]:
    """Symmetric groups → ``{word: [equivalents]}`` (Meilisearch's format)."""
    out: dict[str, list[str]] = {}
    for group in groups:
        for word in group:
            equivalents = out.setdefault(word, [])
            equivalents.extend(w for w in group if w != word and w not in equivalents)
    return out


@dataclass(frozen=True)
class Query:
    """A search request.  ``sort=None`` means by relevance."""

    text: str = ""
    filters: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)
    facets: Sequence[str] = ()
    sort: Sequence[tuple[str, str]] | None = None
    offset: int = 0
    limit: int = 20
    highlight: bool = True
    # When the strict match is empty, leave words out (search/matching.py).
    # Saved-search matching asks strictly: it tests one new document at a time.
    relax: bool = True
    # Hybrid search (search/vectors.py): the query's vector, and how much meaning
    # weighs against words (0 = words only, 1 = meaning only).
    vector: Sequence[float] | None = None
    semantic_ratio: float = 0.5


@dataclass(frozen=True)
class Hit:
    """One result; ``score`` is the relevance score, None when sorted by a field."""

    id: str
    score: float | None
    document: dict[str, Any]
    highlights: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[Any, int]] = field(default_factory=dict)
    suggestion: str | None = None
    # Typed words left out because nothing matched them all (search/matching.py), as typed.
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriteTicket:
    """Handle of an asynchronous write; empty when the write already completed."""

    task_uids: tuple[int, ...] = ()


def validate_query(query: Query, settings: IndexSettings) -> None:
    """Reject fields the index cannot filter, facet or sort on (a programming error)."""
    for name in [*query.filters, *query.ranges, *query.facets]:
        if name not in settings.filterable and name not in settings.sortable:
            raise ValueError(f"{name!r} is not filterable")
    for name in query.ranges:
        if name not in settings.numeric:
            raise ValueError(f"{name!r} is not numeric; ranges need numbers")
    for name, direction in query.sort or ():
        if name not in settings.sortable or direction not in ("asc", "desc"):
            raise ValueError(f"cannot sort on {name!r} {direction!r}")
    if query.limit < 0 or query.offset < 0:
        raise ValueError("offset and limit must not be negative")
    if query.vector is not None:
        if not 0.0 <= query.semantic_ratio <= 1.0:
            raise ValueError("semantic_ratio must be between 0 and 1")
        if query.sort:
            raise ValueError("a hybrid search cannot be sorted by a field")
        checked(query.vector, settings.vector)


def corrected_query(text: str, words_found: Iterable[str], min_word_size: int) -> str | None:
    """A "did you mean" query: each typed word of ``min_word_size``+ letters
    that is not a Vietnamese syllable and matched nothing verbatim (nor as the
    last word's prefix) is replaced by a found word one edit away, in the
    user's casing.  None when nothing was corrected.  A valid syllable is never
    replaced (search/syllables.py).

    ``words_found`` are the document words that matched (e.g. the highlighted
    words of the top hit), so the suggestion carries their accents.  The
    caller offers it only if it finds something.
    """
    typed = typed_words(text)
    found = {fold(w): nfc(w).lower() for w in words_found}
    out, changed = [], False
    for k, word in enumerate(typed):
        folded = fold(word)
        is_last = k == len(typed) - 1
        known = folded in found or (is_last and any(f.startswith(folded) for f in found))
        fix = (
            None
            if known or len(folded) < min_word_size or is_syllable(folded)
            else next((w for f, w in sorted(found.items()) if one_edit_apart(folded, f)), None)
        )
        out.append(keep_casing(word, fix) if fix else word)
        changed |= fix is not None
    return " ".join(out) if changed else None


class Engine(Protocol):
    """What the application may ask of a search backend."""

    settings: IndexSettings

    def ensure_index(self) -> None:
        """Create the index if missing and apply the settings (idempotent)."""

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> WriteTicket:
        """Add or replace documents by ``id``."""

    def delete(self, ids: Iterable[str]) -> WriteTicket: ...

    def wait(self, ticket: WriteTicket) -> None:
        """Block until the write is visible to searches (raises if it failed)."""

    def search(self, query: Query) -> Result: ...

    def similar(
        self, id: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        """Documents like ``id`` (on title, keywords, summary), never ``id`` itself."""

    def similar_text(
        self, text: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        """Documents sharing the most words with ``text`` (on ``similar_on``), best first;
        unlike ``search``, a document need not contain every word."""

    def generation(self) -> str:
        """A value that changes whenever a search may answer differently (documents,
        synonyms, a rebuild); cheap to ask on every request (response caches use it)."""

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions for search-as-you-type from titles and keywords; those
        whose folded text starts with the folded prefix first."""

    def health(self) -> bool: ...

    def set_synonyms(self, groups: Iterable[Iterable[str]]) -> WriteTicket:
        """Replace the synonym groups at runtime."""

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> None:
        """Index ``docs`` into a fresh index and swap it in without downtime."""

    def document_versions(self) -> dict[str, int]:
        """``{id: version}`` of every indexed document (database consistency check)."""
