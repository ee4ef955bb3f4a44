"""Embedded search engine on tantivy: development, CI and small deployments.

Layout of ``path``::

    CURRENT          name of the live generation directory (swapped atomically)
    synonyms.json    runtime-editable synonym groups
    gen-000001/      a tantivy index; a rebuild writes gen-000002/ then swaps

Rules that follow from tantivy (see design/SEARCH.md):

* the custom analyzer is registered every time an index is opened;
* exactly one writer per directory: this object keeps one writer behind a
  lock, so only ONE process may write (the indexing worker); any number of
  processes may search, they notice commits and rebuilds by themselves;
* ``Searcher.search(q, 0)`` panics, so at least one hit is always requested.

Query semantics (the contract shared with Meilisearch): every query word must
match (AND); a word matches its folded form in any searchable field, and an
exact-accent match scores higher; the last word is also a prefix; a word of
4+ letters that is not in the index vocabulary matches the vocabulary words
one edit away (same first letter) — implemented here rather than with
tantivy's fuzzy query, which over-matches short syllables; synonyms are
expanded at query time so edits apply without reindexing.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from search.documents import INITIATIVE_SETTINGS, check_document
from search.interface import (
    Hit, IndexSettings, Query, Result, SearchUnavailable, SynonymGroups, WriteTicket,
    corrected_query, normalise_synonyms, validate_query,
)
from search.text import TOKEN_PATTERN, fold, mark, nfc, one_edit_apart, tokenize

ANALYZER = "vi_words"
ACCENT_BONUS = 2.0  # exact-accent match weighs this much more than the folded one
PREFIX_WEIGHT = 0.6  # completions of the last word rank below the word itself
TYPO_WEIGHT = 0.5
PREFIX_EXPANSIONS = 30
CROP_WORDS = 30
BATCH_COMMIT = 20_000


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def _build_schema(settings: IndexSettings) -> tantivy.Schema:
    """``t_<f>`` keeps accents, ``f_<f>`` holds the folded text; filter and
    facet fields are raw fast fields; the whole document is stored as JSON."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in settings.searchable:
        sb.add_text_field(f"t_{name}", tokenizer_name=ANALYZER)
        sb.add_text_field(f"f_{name}", tokenizer_name=ANALYZER)
    for name in dict.fromkeys([*settings.filterable, *settings.sortable, *settings.numeric]):
        if name in settings.numeric:
            sb.add_integer_field(name, indexed=True, fast=True)
        else:
            sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_bytes_field("_source", stored=True)
    return sb.build()


def _weights(fields: Sequence[str]) -> list[tuple[str, float]]:
    """Earlier (more important) fields weigh more: 1, 0.71, 0.5, 0.35 …"""
    return [(name, 2 ** (-rank / 2)) for rank, name in enumerate(fields)]


@dataclass
class _Plan:
    """A parsed text query: the tantivy query and what counts as a matched word."""

    query: tantivy.Query | None = None
    terms: set[str] = field(default_factory=set)
    corrections: list[str] = field(default_factory=list)

    def matches(self, word: str) -> bool:
        return fold(word) in self.terms


class TantivyEngine:
    """The embedded backend; see the module docstring for the process rules."""

    def __init__(self, path: str | os.PathLike[str], settings: IndexSettings = INITIATIVE_SETTINGS):
        self.path = Path(path)
        self.settings = settings
        self._schema = _build_schema(settings)
        self._write_lock = threading.RLock()  # the one writer, rebuilds, settings files
        self._open_lock = threading.Lock()  # switching to another generation
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._current: tuple[str, int] | None = None  # (generation name, CURRENT inode+mtime)
        self._synonyms: tuple[int, dict[tuple[str, ...], list[tuple[str, ...]]]] | None = None

    # -- files and generations -------------------------------------------------

    def _open(self, directory: Path, create: bool = False) -> tantivy.Index:
        if not create and not (directory / "meta.json").exists():
            raise SearchUnavailable(f"no search index at {directory}")
        directory.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self._schema, path=str(directory), reuse=True)
        index.register_tokenizer(ANALYZER, _analyzer())
        return index

    def _write_atomic(self, name: str, content: str) -> None:
        tmp = self.path / f".{name}.tmp"
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, self.path / name)

    def _live_index(self) -> tantivy.Index:
        """The index CURRENT points at, reopened when a rebuild swapped it."""
        try:
            st = (self.path / "CURRENT").stat()
            stamp = st.st_ino * 10**19 + st.st_mtime_ns
            with self._open_lock:
                if self._current is None or self._current[1] != stamp:
                    generation = (self.path / "CURRENT").read_text().strip()
                    self._index = self._open(self.path / generation)
                    self._current = (generation, stamp)
                return self._index
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot open search index at {self.path}: {exc}") from exc

    def ensure_index(self) -> None:
        with self._write_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            if not (self.path / "CURRENT").exists():
                self._open(self.path / "gen-000001", create=True)
                self._write_atomic("CURRENT", "gen-000001")
            if not (self.path / "synonyms.json").exists():
                self._write_atomic("synonyms.json", json.dumps(self.settings.synonyms, ensure_ascii=False))
            self._live_index()

    def _synonym_table(self) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        """Folded phrase → equivalent phrases, re-read when the file changes."""
        file = self.path / "synonyms.json"
        stamp = file.stat().st_mtime_ns if file.exists() else 0
        if self._synonyms is None or self._synonyms[0] != stamp:
            groups = json.loads(file.read_text(encoding="utf-8")) if stamp else self.settings.synonyms
            table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
            for group in groups:
                for phrase in group:
                    others = [tuple(tokenize(o)) for o in group if o != phrase]
                    table.setdefault(tuple(fold(w) for w in tokenize(phrase)), []).extend(others)
            self._synonyms = (stamp, table)
        return self._synonyms[1]

    def set_synonyms(self, groups: Iterable[Iterable[str]]) -> WriteTicket:
        cleaned: SynonymGroups = normalise_synonyms(groups)
        with self._write_lock:
            self._write_atomic("synonyms.json", json.dumps(cleaned, ensure_ascii=False))
        return WriteTicket()

    # -- writing ---------------------------------------------------------------

    def _to_tantivy(self, doc: Mapping[str, Any]) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("id", doc["id"])
        for name in self.settings.searchable:
            value = doc.get(name)
            for text in value if isinstance(value, list) else [value] if value else []:
                out.add_text(f"t_{name}", nfc(text).lower())
                out.add_text(f"f_{name}", fold(text))
        for name in dict.fromkeys([*self.settings.filterable, *self.settings.sortable, *self.settings.numeric]):
            if doc.get(name) is not None:
                (out.add_integer if name in self.settings.numeric else out.add_text)(name, doc[name])
        out.add_bytes("_source", json.dumps(doc, ensure_ascii=False).encode())
        return out

    def _locked_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._live_index().writer(heap_size=64_000_000, num_threads=1)
            except ValueError as exc:  # LockBusy: another process holds the writer
                raise SearchUnavailable(f"index writer busy: {exc}") from exc
        return self._writer

    def _commit(self) -> None:
        self._writer.commit()
        self._live_index().reload()  # this process sees the write at once

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> WriteTicket:
        clean = [check_document(d) for d in docs]
        with self._write_lock:
            writer = self._locked_writer()
            for doc in clean:
                writer.delete_documents_by_term("id", doc["id"])
                writer.add_document(self._to_tantivy(doc))
            self._commit()
        return WriteTicket()

    def delete(self, ids: Iterable[str]) -> WriteTicket:
        with self._write_lock:
            writer = self._locked_writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
            self._commit()
        return WriteTicket()

    def wait(self, ticket: WriteTicket) -> None:
        """Writes commit synchronously, so there is nothing to wait for."""

    def rebuild(self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None) -> None:
        """Build the next generation, point CURRENT at it, drop older ones.

        The write lock is held throughout, so upserts arriving meanwhile wait
        and then land in the new generation; searches keep using the old one
        until the switch.  The previous generation is kept
        until the next rebuild because other processes may still be reading it.
        """
        with self._write_lock:
            self.ensure_index()
            old = self._current[0]
            new = f"gen-{int(old.split('-')[1]) + 1:06d}"
            shutil.rmtree(self.path / new, ignore_errors=True)
            index = self._open(self.path / new, create=True)
            writer = index.writer(heap_size=256_000_000, num_threads=2)
            count = 0
            for doc in docs:
                writer.add_document(self._to_tantivy(check_document(doc)))
                count += 1
                if count % BATCH_COMMIT == 0:
                    writer.commit()
                if progress and count % 1000 == 0:
                    progress(count)
            writer.commit()
            writer.wait_merging_threads()
            if self._writer is not None:
                self._writer.wait_merging_threads()  # releases the old directory's lock
                self._writer = None
            self._write_atomic("CURRENT", new)
            self._live_index()
            for stale in self.path.glob("gen-*"):
                if stale.name not in (old, new):
                    shutil.rmtree(stale, ignore_errors=True)
            if progress:
                progress(count)

    # -- query planning ----------------------------------------------------------

    def _field_terms(self, searcher: tantivy.Searcher, prefix: str, fields: Sequence[str], limit: int | None) -> Counter:
        counts: Counter = Counter()
        for name in fields:
            for term, freq in searcher.terms_with_prefix(f"f_{name}", prefix, limit=limit):
                counts[term] += freq
        return counts

    def _word(self, searcher, word: str, fields: Sequence[str], plan: _Plan, *, prefix: bool, typed: bool) -> tantivy.Query:
        """All ways one word may match, as a should-query over the fields.

        Only ``typed`` words (not synonym expansions) get typo correction."""
        folded = fold(word)
        known = any(searcher.doc_freq(f"f_{name}", folded) for name in fields)
        terms = {folded: 1.0} if known else {}
        if prefix:
            for term, _ in self._field_terms(searcher, folded, fields, PREFIX_EXPANSIONS).most_common(PREFIX_EXPANSIONS):
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
        for name, weight in _weights(fields):
            for term, w in terms.items():
                clauses.append(TQ.boost_query(TQ.term_query(self._schema, f"f_{name}", term), weight * w))
            if known:
                exact = TQ.term_query(self._schema, f"t_{name}", word)
                clauses.append(TQ.boost_query(exact, weight * ACCENT_BONUS))
        return TQ.boolean_query([(Occur.Should, c) for c in clauses])

    def _phrase(self, words: tuple[str, ...], fields: Sequence[str], plan: _Plan) -> tantivy.Query:
        folded = [fold(w) for w in words]
        plan.terms.update(folded)
        clauses = [
            TQ.boost_query(TQ.phrase_query(self._schema, f"f_{name}", folded), weight)
            for name, weight in _weights(fields)
        ]
        return TQ.boolean_query([(Occur.Should, c) for c in clauses])

    def _plan(self, searcher: tantivy.Searcher, text: str, fields: Sequence[str]) -> _Plan:
        """Turn typed text into a query: stop words dropped, synonym spans
        expanded (longest first), every remaining unit required."""
        plan = _Plan()
        stop = {fold(w) for w in self.settings.stop_words}
        words = tokenize(text)
        words = [w for w in words if fold(w) not in stop] or words
        if not words:
            return plan
        synonyms = self._synonym_table()
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
            alternatives = [own[0] if size == 1 else TQ.boolean_query([(Occur.Must, q) for q in own])]
            for other in synonyms.get(tuple(fold(w) for w in span), []):
                if len(other) == 1:
                    alternatives.append(self._word(searcher, other[0], fields, plan, prefix=False, typed=False))
                else:
                    alternatives.append(self._phrase(other, fields, plan))
            units.append(TQ.boolean_query([(Occur.Should, q) for q in alternatives]))
            k += size
        plan.query = TQ.boolean_query([(Occur.Must, q) for q in units])
        return plan

    def _filter_clauses(self, filters: Mapping[str, Sequence[Any]], ranges: Mapping[str, tuple]) -> list:
        clauses = []
        for name, values in filters.items():
            values = [int(v) for v in values] if name in self.settings.numeric else [str(v) for v in values]
            clauses.append((Occur.Must, TQ.term_set_query(self._schema, name, values)))
        for name, (lo, hi) in ranges.items():
            if lo is not None or hi is not None:
                clauses.append((Occur.Must, TQ.range_query(self._schema, name, tantivy.FieldType.Integer, lo, hi)))
        return clauses

    # -- reading -------------------------------------------------------------------

    @staticmethod
    def _source(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
        return json.loads(searcher.doc(address).get_first("_source"))

    def _highlights(self, doc: Mapping[str, Any], plan: _Plan) -> dict[str, str]:
        return {
            name: mark(doc[name], plan.matches, CROP_WORDS)
            for name in self.settings.highlighted
            if isinstance(doc.get(name), str)
        }

    def _matched_words(self, doc: Mapping[str, Any], plan: _Plan) -> list[str]:
        words = []
        for name in self.settings.searchable:
            value = doc.get(name)
            for text in value if isinstance(value, list) else [value] if value else []:
                words.extend(w for w in tokenize(text) if plan.matches(w))
        return words

    def search(self, query: Query) -> Result:
        validate_query(query, self.settings)
        searcher = self._live_index().searcher()
        plan = self._plan(searcher, query.text, self.settings.searchable)
        clauses = [(Occur.Must, plan.query or TQ.all_query())]
        full = TQ.boolean_query(clauses + self._filter_clauses(query.filters, query.ranges))
        kwargs: dict[str, Any] = {}
        if query.sort:
            name, direction = query.sort[0]
            kwargs = {"order_by_field": name, "order": tantivy.Order.Desc if direction == "desc" else tantivy.Order.Asc}
        found = searcher.search(full, max(query.limit, 1), count=True, offset=query.offset, **kwargs)
        hits = []
        for score, address in found.hits[: query.limit]:
            doc = self._source(searcher, address)
            highlights = self._highlights(doc, plan) if query.highlight else {}
            hits.append(Hit(doc["id"], None if query.sort else score, doc, highlights))
        facets = {}
        if query.facets:
            spec = {f: {"terms": {"field": f, "size": self.settings.max_facet_values}} for f in query.facets}
            aggregated = searcher.aggregate(full, spec)
            facets = {f: {b["key"]: b["doc_count"] for b in aggregated[f]["buckets"]} for f in query.facets}
        suggestion = None
        if plan.corrections:
            top = self._source(searcher, found.hits[0][1]) if found.hits else None
            words = self._matched_words(top, plan) if top else plan.corrections
            suggestion = corrected_query(query.text, words, self.settings.typo.min_word_size)
        return Result(hits, found.count, facets, suggestion)

    def similar(self, id: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None) -> list[Hit]:
        searcher = self._live_index().searcher()
        found = searcher.search(TQ.term_query(self._schema, "id", id), 1).hits
        if not found:
            return []
        doc = self._source(searcher, found[0][1])
        stop = {fold(w) for w in self.settings.stop_words}
        texts = [doc.get("title") or "", *doc.get("keywords", [])]
        words = dict.fromkeys(f for t in texts for f in map(fold, tokenize(t)) if f not in stop)
        should = [
            TQ.boost_query(TQ.term_query(self._schema, f"f_{name}", w), weight)
            for name, weight in _weights(self.settings.similar_on)
            for w in words
        ]
        clauses = [
            (Occur.Must, TQ.boolean_query([(Occur.Should, q) for q in should])),
            (Occur.MustNot, TQ.term_query(self._schema, "id", id)),
            *self._filter_clauses(filters or {}, {}),
        ]
        hits = searcher.search(TQ.boolean_query(clauses), max(limit, 1)).hits[:limit]
        return [Hit((d := self._source(searcher, a))["id"], s, d) for s, a in hits]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        searcher = self._live_index().searcher()
        plan = self._plan(searcher, prefix, ("title",))
        if plan.query is None:
            return []
        titles: list[str] = []
        for _, address in searcher.search(plan.query, max(limit, 1) * 2).hits:
            title = self._source(searcher, address).get("title")
            if title and title not in titles:
                titles.append(title)
        return titles[:limit]

    def document_versions(self) -> dict[str, int]:
        searcher = self._live_index().searcher()
        addresses = [a for _, a in searcher.search(TQ.all_query(), max(searcher.num_docs, 1)).hits]
        versions = searcher.fast_field_values("version", addresses) if addresses else []
        return {searcher.doc(a).get_first("id"): v for a, v in zip(addresses, versions, strict=True)}

    def health(self) -> bool:
        try:
            self._live_index().searcher()
        except SearchUnavailable:
            return False
        return True
