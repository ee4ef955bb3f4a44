"""Embedded search engine on tantivy: development, CI and small deployments.

The index directory (its generations, CURRENT, synonyms.json, the write lock
and this process's writer) is search/tantivy_files.py; this module is what a
document looks like in tantivy and every way of reading it.

Rules that follow from tantivy (see design/SEARCH.md):

* the custom analyzer is registered every time an index is opened;
* exactly one writer per generation directory: this object keeps one writer
  and reopens it on the live generation when a rebuild elsewhere swapped
  CURRENT, so only ONE process may upsert and delete (the indexing worker);
  any process may rebuild, and any number may search — they notice commits
  and rebuilds by themselves;
* a live generation built with another schema (an older release) is
  re-indexed from its stored documents by ``ensure_index``;
* ``Searcher.search(q, 0)`` panics, so at least one hit is always requested.

Query semantics are in search/tantivy_query.py, the sort tie-break in
search/tantivy_sort.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from search.documents import INITIATIVE_SETTINGS
from search.interface import (
    Hit,
    IndexSettings,
    Query,
    Result,
    SearchUnavailable,
    WriteTicket,
    corrected_query,
    validate_query,
)
from search.kept import Kept, copy_hits, copy_result, mapping_key, query_key
from search.matching import ignored_words
from search.related import rank_similar, rank_suggestions, similar_query_words
from search.tantivy_files import ANALYZER, WRITE_WAIT_SECONDS, IndexFiles, stored_source
from search.tantivy_query import Plan, PlannedUnit, Planner, weights
from search.tantivy_sort import count as _hits_count
from search.tantivy_sort import sorted_page
from search.text import (
    accent_form,
    fold,
    mark,
    tokenize,
)
from search.vectors import VECTOR_FIELD, fuse, split_vector, unit

CROP_WORDS = 30
SIMILAR_QUERY_WORDS = 60
SIMILAR_CANDIDATES = 50
SIMILAR_KEPT = 2048  # "similar initiatives" answers kept until the index changes (pages ask often)
SEARCHES_KEPT = 512  # search answers kept until the index changes (~20 documents each)
HYBRID_CANDIDATES = 200  # lexical hits fused with the semantic ranking


def _build_schema(settings: IndexSettings) -> tantivy.Schema:
    """``t_<f>`` keeps accents, ``f_<f>`` holds the folded text; filter and
    facet fields are raw fast fields; ``id`` is fast for the sort tie-break;
    the whole document is stored as JSON."""
    if set(settings.sortable) - set(settings.numeric):
        raise ValueError("the embedded engine sorts on numeric fields only")
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name in settings.searchable:
        sb.add_text_field(f"t_{name}", tokenizer_name=ANALYZER)
        sb.add_text_field(f"f_{name}", tokenizer_name=ANALYZER)
    for name in dict.fromkeys([*settings.filterable, *settings.sortable, *settings.numeric]):
        if name in settings.numeric:
            sb.add_integer_field(name, indexed=True, fast=True)
        else:
            sb.add_text_field(name, fast=True, tokenizer_name="raw")
    sb.add_bytes_field("_source", stored=True)
    if settings.vector:
        sb.add_bytes_field(VECTOR_FIELD, stored=True)  # float32, unit length
    return sb.build()


@dataclass(frozen=True)
class _Vectors:
    key: str  # the generation they were read from
    ids: list[str]
    matrix: np.ndarray  # (n, dimension) float32 unit rows
    row_of: dict[tuple[int, int], int]  # (segment, doc) → row
    row_index: dict[str, int]  # id → row


class TantivyEngine:
    """The embedded backend; see the module docstring for the process rules."""

    def __init__(self, path: str | os.PathLike[str], settings: IndexSettings = INITIATIVE_SETTINGS):
        self.path = Path(path)
        self.settings = settings
        self._schema = _build_schema(settings)
        self._planner = Planner(self._schema, settings)
        self._files = IndexFiles(self.path, self._schema, settings, self._document)
        self._vector_cache: _Vectors | None = None
        self._similar_kept: Kept[list[Hit]] = Kept(SIMILAR_KEPT, copy_hits)
        self._searches_kept: Kept[Result] = Kept(SEARCHES_KEPT, copy_result)

    # -- the directory (search/tantivy_files.py) ----------------------------------

    def generation(self) -> str:
        """Changes with every commit, rebuild or synonyms edit."""
        return self._files.generation()

    def ensure_index(self) -> None:
        self._files.ensure()

    def set_synonyms(self, groups: Iterable[Iterable[str]]) -> WriteTicket:
        self._files.set_synonyms(groups)
        return WriteTicket()

    # -- writing ---------------------------------------------------------------

    def _to_tantivy(
        self, doc: Mapping[str, Any], vector: list[float] | None = None
    ) -> tantivy.Document:
        out = tantivy.Document()
        if vector is not None:
            out.add_bytes(VECTOR_FIELD, unit(vector).tobytes())
        out.add_text("id", doc["id"])
        for name in self.settings.searchable:
            value = doc.get(name)
            for text in value if isinstance(value, list) else [value] if value else []:
                out.add_text(f"t_{name}", accent_form(text))
                out.add_text(f"f_{name}", fold(text))
        for name in dict.fromkeys(
            [*self.settings.filterable, *self.settings.sortable, *self.settings.numeric]
        ):
            value = doc.get(name)
            add = out.add_integer if name in self.settings.numeric else out.add_text
            for one in value if isinstance(value, list) else [] if value is None else [value]:
                add(name, one)
        out.add_bytes("_source", json.dumps(doc, ensure_ascii=False).encode())
        return out

    def _checked(self, doc: Mapping[str, Any]) -> tuple[dict[str, Any], list[float] | None]:
        rest, vector = split_vector(doc, self.settings.vector)
        return self.settings.schema.check(rest), vector

    def _document(self, doc: Mapping[str, Any]) -> tantivy.Document:
        return self._to_tantivy(*self._checked(doc))

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> WriteTicket:
        clean = [self._checked(d) for d in docs]
        with self._files.lock.hold(WRITE_WAIT_SECONDS):
            writer = self._files.writer()
            for doc, vector in clean:
                writer.delete_documents_by_term("id", doc["id"])
                writer.add_document(self._to_tantivy(doc, vector))
            self._files.commit()
        return WriteTicket()

    def delete(self, ids: Iterable[str]) -> WriteTicket:
        with self._files.lock.hold(WRITE_WAIT_SECONDS):
            writer = self._files.writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
            self._files.commit()
        return WriteTicket()

    def wait(self, ticket: WriteTicket) -> None:
        """Writes commit synchronously, so there is nothing to wait for."""

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> None:
        """Build the next generation, point CURRENT at it, drop older ones.

        The directory's write lock is held from before ``docs`` is read until
        after the swap, so upserts and deletes from any process wait (or fail
        and are retried) and then land in the new generation: none is lost,
        provided ``docs`` is read lazily (a generator over the database).
        Searches keep using the old generation until the switch.  The previous
        generation is kept until the next rebuild because other processes may
        still be reading it.
        """
        self._files.rebuild(docs, progress)

    def _filter_clauses(
        self, filters: Mapping[str, Sequence[Any]], ranges: Mapping[str, tuple]
    ) -> list:
        clauses = []
        for name, values in filters.items():
            values = (
                [int(v) for v in values]
                if name in self.settings.numeric
                else [str(v) for v in values]
            )
            clauses.append((Occur.Must, TQ.term_set_query(self._schema, name, values)))
        for name, (lo, hi) in ranges.items():
            if lo is not None or hi is not None:
                clauses.append(
                    (
                        Occur.Must,
                        TQ.range_query(self._schema, name, tantivy.FieldType.Integer, lo, hi),
                    )
                )
        return clauses

    # -- reading -------------------------------------------------------------------

    def _highlights(self, doc: Mapping[str, Any], plan: Plan) -> dict[str, str]:
        return {
            name: mark(doc[name], plan.matches, CROP_WORDS)
            for name in self.settings.highlighted
            if isinstance(doc.get(name), str)
        }

    def _matched_words(self, doc: Mapping[str, Any], plan: Plan) -> list[str]:
        words: list[str] = []
        for name in self.settings.searchable:
            value = doc.get(name)
            for text in value if isinstance(value, list) else [value] if value else []:
                words.extend(w for w in tokenize(text) if plan.matches(w))
        return words

    def _count(self, searcher: tantivy.Searcher, q: tantivy.Query, flt: list) -> int:
        found = searcher.search(TQ.boolean_query([(Occur.Must, q), *flt]), 1, count=True)
        return _hits_count(found)

    def _relax(
        self, searcher: tantivy.Searcher, plan: Plan, flt: list
    ) -> tuple[list[PlannedUnit], list[PlannedUnit], list[PlannedUnit]]:
        """The strict query found nothing: (units required, units that only
        rank, units ignored), as search/matching.py says."""
        required = plan.required
        alive = [u for u in required if self._count(searcher, u.query, []) > 0]
        dead = [u for u in required if u not in alive]
        for k in range(len(alive), 0, -1):
            kept = alive[:k]
            query = plan.matching(kept)
            if (dead or k < len(alive)) and query and self._count(searcher, query, flt) > 0:
                return kept, alive[k:], dead + alive[k:]
        return required, [], []

    def _page(
        self,
        searcher: tantivy.Searcher,
        query: Query,
        ranked: tantivy.Query,
        matching: tantivy.Query,
        flt: list,
    ) -> tuple[tantivy.Query, list[tuple[float | None, tantivy.DocAddress]], int]:
        """(the hits' set with the filters, the requested page of (score, address), the
        total). A page ordered by score asks `ranked`; a page sorted by a field, or a mere
        count, asks `matching` (the same set without the clauses that only score,
        Plan.matching)."""
        matched = TQ.boolean_query([(Occur.Must, matching), *flt])
        if query.sort:
            name, direction = query.sort[0]
            addresses, total = sorted_page(
                searcher,
                self._schema,
                matched,
                name,
                direction == "desc",
                query.offset,
                query.limit,
            )
            return matched, [(None, a) for a in addresses], total
        asked = TQ.boolean_query([(Occur.Must, ranked), *flt]) if query.limit else matched
        found = searcher.search(asked, max(query.limit, 1), count=True, offset=query.offset)
        return matched, list(found.hits[: query.limit]), _hits_count(found)

    def search(self, query: Query) -> Result:
        """Kept (the SEARCHES_KEPT most recent, search/kept.py) until the index changes,
        except hybrid searches (a vector is no key worth keeping)."""
        validate_query(query, self.settings)
        if query.vector is not None and query.semantic_ratio > 0:
            return self._hybrid(query)
        return self._searches_kept.get(
            query_key(query), self.generation(), lambda: self._search(query)
        )

    def _search(self, query: Query) -> Result:
        searcher = self._files.searcher()
        plan = self._planner.plan(
            searcher, query.text, self.settings.searchable, self._files.synonym_table()
        )
        flt = self._filter_clauses(query.filters, query.ranges)
        text_query = plan.query or TQ.all_query()
        matching = plan.matching(plan.required) or text_query
        ignored: list[PlannedUnit] = []
        hits_set, page, total = self._page(searcher, query, text_query, matching, flt)
        if query.relax and plan.query is not None and total == 0:
            kept, boost, ignored = self._relax(searcher, plan, flt)
            if ignored:
                text_query = plan.combine(kept, boost) or text_query
                matching = plan.matching(kept, boost) or text_query
                hits_set, page, total = self._page(searcher, query, text_query, matching, flt)
        hits = []
        for score, address in page:
            doc = stored_source(searcher, address)
            highlights = self._highlights(doc, plan) if query.highlight else {}
            hits.append(Hit(doc["id"], score, doc, highlights))
        facets = {}
        if query.facets:
            spec = {
                f: {"terms": {"field": f, "size": self.settings.max_facet_values}}
                for f in query.facets
            }
            aggregated = searcher.aggregate(hits_set, spec)
            facets = {
                f: {b["key"]: b["doc_count"] for b in aggregated[f]["buckets"]}
                for f in query.facets
            }
        words = ignored_words([u.unit for u in ignored], query.text) if total else ()
        return Result(hits, total, facets, self._suggestion(searcher, query, plan, hits), words)

    # -- hybrid search (search/vectors.py) ------------------------------------------

    def _vectors(self, searcher: tantivy.Searcher) -> _Vectors:
        """The live generation's vectors as one matrix, rebuilt when anything was written."""
        key = self.generation()
        cached = self._vector_cache
        if cached is not None and cached.key == key:
            return cached
        ids: list[str] = []
        rows: list[np.ndarray] = []
        row_of: dict[tuple[int, int], int] = {}
        for _, address in searcher.search(TQ.all_query(), max(searcher.num_docs, 1)).hits:
            stored = searcher.doc(address)
            raw = stored.get_first(VECTOR_FIELD)
            if raw is None:
                continue
            row_of[(address.segment_ord, address.doc)] = len(ids)
            ids.append(str(stored.get_first("id")))
            rows.append(np.frombuffer(cast(bytes, raw), dtype=np.float32))
        matrix = np.vstack(rows) if rows else np.zeros((0, self.settings.vector), np.float32)
        self._vector_cache = _Vectors(key, ids, matrix, row_of, {i: n for n, i in enumerate(ids)})
        return self._vector_cache

    def _semantic(
        self, searcher: tantivy.Searcher, query: Query, flt: list, want: int
    ) -> tuple[list[str], np.ndarray, _Vectors]:
        """(ids of the ``want`` filtered documents closest in meaning, best first; which rows
        pass the filters; the matrix)."""
        assert query.vector is not None  # only hybrid searches come here
        vectors = self._vectors(searcher)
        allowed = np.ones(len(vectors.ids), dtype=bool)
        if not vectors.ids:
            return [], allowed, vectors
        if flt:  # hard filters first: only documents that pass them are ranked
            allowed[:] = False
            found = searcher.search(TQ.boolean_query(flt), max(searcher.num_docs, 1)).hits
            for _, a in found:
                row = vectors.row_of.get((a.segment_ord, a.doc))
                if row is not None:
                    allowed[row] = True
        sims = np.where(allowed, vectors.matrix @ unit(query.vector), -np.inf)
        k = min(int(allowed.sum()), want)
        if k == 0:
            return [], allowed, vectors
        top = np.argpartition(-sims, k - 1)[:k]
        order = top[np.argsort(-sims[top], kind="stable")]
        return [vectors.ids[j] for j in order], allowed, vectors

    def _hybrid(self, query: Query) -> Result:
        """Lexical and semantic rankings of the filtered documents, fused by
        ``semantic_ratio``; facets, suggestion and ignored words are the lexical search's."""
        lexical = self.search(
            Query(
                text=query.text,
                filters=query.filters,
                ranges=query.ranges,
                facets=query.facets,
                limit=max(HYBRID_CANDIDATES, query.offset + query.limit),
                highlight=False,  # only the page is highlighted, below
                relax=query.relax,
            )
        )
        searcher = self._files.searcher()
        plan = self._planner.plan(
            searcher, query.text, self.settings.searchable, self._files.synonym_table()
        )
        flt = self._filter_clauses(query.filters, query.ranges)
        want = max(HYBRID_CANDIDATES, query.offset + query.limit)
        semantic, allowed, vectors = self._semantic(searcher, query, flt, want)
        lexical_ids = [h.id for h in lexical.hits] if query.text.strip() else []
        ranked = fuse(lexical_ids, semantic, query.semantic_ratio)
        page = ranked[query.offset : query.offset + query.limit]
        known = {h.id: h for h in lexical.hits}
        hits = []
        for doc_id in page:
            if doc_id in known:
                doc = known[doc_id].document
            else:
                found = searcher.search(TQ.term_query(self._schema, "id", doc_id), 1).hits
                if not found:
                    continue
                doc = stored_source(searcher, found[0][1])
            highlights = self._highlights(doc, plan) if query.highlight else {}
            hits.append(Hit(doc_id, None, doc, highlights))
        # every filtered document with a vector, and (unless meaning alone ranks) every lexical
        # match; exact while the words match at most HYBRID_CANDIDATES documents
        total = int(allowed.sum())
        if lexical_ids and query.semantic_ratio < 1:
            rows = vectors.row_index
            both = sum(1 for i in lexical_ids if i in rows and allowed[rows[i]])
            total += lexical.total - both
        return Result(hits, total, lexical.facets, lexical.suggestion, lexical.ignored)

    def _suggestion(
        self, searcher: tantivy.Searcher, query: Query, plan: Plan, hits: list[Hit]
    ) -> str | None:
        """ "Did you mean", only when the corrected query finds something with
        the same filters."""
        if not plan.corrections:
            return None
        if hits:
            words = [*self._matched_words(hits[0].document, plan), *plan.dictionary]
        else:
            words = [
                self._planner.accented(searcher, c, self.settings.searchable)
                for c in plan.corrections
            ]
        suggestion = corrected_query(query.text, words, self.settings.typo.min_word_size)
        if suggestion is None:
            return None
        check = self._planner.plan(
            searcher, suggestion, self.settings.searchable, self._files.synonym_table()
        )
        flt = self._filter_clauses(query.filters, query.ranges)
        found = check.matching(check.required)
        if check.corrections or found is None or not self._count(searcher, found, flt):
            return None
        return suggestion

    def similar(
        self, id: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        """Candidates share words with the document's title, keywords and
        summary; search/related.py keeps those alike enough, most alike first.

        The answer depends on the index alone, so it is kept (per process, the
        SIMILAR_KEPT most recent) until the index's generation changes."""
        key = (id, limit, mapping_key(filters or {}))
        return self._similar_kept.get(
            key, self.generation(), lambda: self._similar(id, limit, filters)
        )

    def _similar(
        self, id: str, limit: int, filters: Mapping[str, Sequence[Any]] | None
    ) -> list[Hit]:
        searcher = self._files.searcher()
        found = searcher.search(TQ.term_query(self._schema, "id", id), 1).hits
        if not found:
            return []
        doc = stored_source(searcher, found[0][1])
        words = similar_query_words(doc, self.settings.stop_words, SIMILAR_QUERY_WORDS)
        candidates = [
            h.document for h in self._like(searcher, words, SIMILAR_CANDIDATES, filters, exclude=id)
        ]
        ranked = rank_similar(doc, candidates, self.settings.stop_words, limit)
        return [Hit(d["id"], score, d) for score, d in ranked]

    def similar_text(
        self, text: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        stop = {fold(w) for w in self.settings.stop_words}
        words = list(dict.fromkeys(f for f in map(fold, tokenize(text)) if f not in stop))
        return self._like(self._files.searcher(), words, limit, filters)

    def _like(
        self,
        searcher: tantivy.Searcher,
        words: Sequence[str],
        limit: int,
        filters: Mapping[str, Sequence[Any]] | None,
        exclude: str | None = None,
    ) -> list[Hit]:
        """Documents sharing the most (weighted) folded ``words``; any word may be missing."""
        should = [
            TQ.boost_query(TQ.term_query(self._schema, f"f_{name}", w), weight)
            for name, weight in weights(self.settings.similar_on)
            for w in words
        ]
        if not should:
            return []
        clauses = [
            (Occur.Must, TQ.boolean_query([(Occur.Should, q) for q in should])),
            *self._filter_clauses(filters or {}, {}),
        ]
        if exclude is not None:
            clauses.append((Occur.MustNot, TQ.term_query(self._schema, "id", exclude)))
        hits = searcher.search(TQ.boolean_query(clauses), max(limit, 1)).hits[:limit]
        return [Hit((d := stored_source(searcher, a))["id"], s, d) for s, a in hits]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        searcher = self._files.searcher()
        fields = tuple(f for f in ("title", "keywords") if f in self.settings.searchable)
        plan = self._planner.plan(searcher, prefix, fields, self._files.synonym_table())
        if plan.query is None:
            return []
        hits = searcher.search(plan.query, max(limit, 1) * 4).hits
        return rank_suggestions(prefix, (stored_source(searcher, a) for _, a in hits), limit)

    def document_versions(self) -> dict[str, int]:
        searcher = self._files.searcher()
        addresses = [a for _, a in searcher.search(TQ.all_query(), max(searcher.num_docs, 1)).hits]
        versions = searcher.fast_field_values("version", addresses) if addresses else []
        return {
            str(searcher.doc(a).get_first("id")): int(v or 0)
            for a, v in zip(addresses, versions, strict=True)
        }

    def health(self) -> bool:
        try:
            self._files.searcher()
        except SearchUnavailable:
            return False
        return True
