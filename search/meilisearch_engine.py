"""Production backend on Meilisearch, through its official Python client.

Written to the client's documentation; no server can run on the development
machine, so the contract tests exercise it whenever ``MEILISEARCH_URL`` is set.

* Settings are code (:func:`settings_body`), compared with the live index and
  updated only where they differ.  Synonyms are the exception: the code's
  groups seed a new index, later edits come from ``set_synonyms`` and are
  carried over by ``rebuild``.
* Writes are asynchronous tasks: every write returns a :class:`WriteTicket`
  with the task uids, ``wait()`` blocks on ``wait_for_task``.
* ``rebuild`` fills ``<index>_tmp_<n>``, swaps it with the live index
  (atomic, no downtime) and deletes the old one.  Writes sent to the live index
  while a rebuild runs are lost on the swap: the caller replays them.
* Connection failures and server errors become :class:`SearchUnavailable`.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search.documents import INITIATIVE_SETTINGS
from search.interface import (
    Hit,
    IndexSettings,
    Query,
    Result,
    SearchUnavailable,
    WriteTicket,
    corrected_query,
    normalise_synonyms,
    synonym_map,
    validate_query,
)
from search.matching import REQUIRED, SynonymTable, Unit, ignored_words, units
from search.related import rank_similar, rank_suggestions, similar_query_words
from search.syllables import SYLLABLES
from search.text import accent_form, fold, tokenize
from search.vectors import EMBEDDER, split_vector

# Private-use characters as highlight tags: the text is HTML-escaped after
# Meilisearch marks it, then these become <mark> tags.
PRE, POST = "\ue000", "\ue001"
CROP_WORDS = 30
GENERATION_SECONDS = 0.5
BATCH_SIZE = 1000
WAIT_MS = 60_000
REBUILD_WAIT_MS = 30 * 60_000
SYNONYMS_TTL = 30.0  # seconds the synonym list is cached for grouping query words
QUERY_WORDS = 10  # Meilisearch reads at most ten words of a query
SIMILAR_CANDIDATES = 50

APP_KEY_ACTIONS = [
    "search",
    "documents.add",
    "documents.delete",
    "documents.get",
    "indexes.get",
    "settings.update",
    "settings.get",
    "tasks.get",
    "indexes.swap",
    "indexes.create",
    "indexes.delete",
]


@contextmanager
def _calls() -> Iterator[None]:
    """Translate "cannot reach the engine" into SearchUnavailable; let request errors through."""
    try:
        yield
    except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
        raise SearchUnavailable(str(exc)) from exc
    except MeilisearchApiError as exc:
        if exc.status_code >= 500:
            raise SearchUnavailable(str(exc)) from exc
        raise


def settings_body(settings: IndexSettings) -> dict[str, Any]:
    """The index settings as Meilisearch expects them (without synonyms).

    ``sort`` comes first among the ranking rules so an explicit sort orders
    the results (as in the embedded engine); ``id`` is filterable for delete
    by filter and for excluding a document from its own "similar" list, and
    sortable as the tie-break after any requested sort.
    """
    return {
        "searchableAttributes": list(settings.searchable),
        "filterableAttributes": ["id", *settings.filterable],
        "sortableAttributes": ["id", *settings.sortable],
        "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
        # Stop words are removed from the query by search/matching.py on the
        # accented form; Meilisearch would compare them after removing marks
        # ("vệ" would go with "về"), so the index has none.
        "stopWords": [],
        "typoTolerance": {
            "enabled": settings.typo.enabled,
            # twoTypos is set out of reach: one edit only, as in the embedded engine.
            "minWordSizeForTypos": {"oneTypo": settings.typo.min_word_size, "twoTypos": 100},
            # A Vietnamese syllable is a real word: never matched as a typo of another.
            # (The list is folded, as Meilisearch normalises query words.)
            "disableOnWords": sorted(SYLLABLES),
        },
        "pagination": {"maxTotalHits": settings.max_total_hits},
        "faceting": {"maxValuesPerFacet": settings.max_facet_values},
        "localizedAttributes": [
            {"attributePatterns": list(settings.searchable), "locales": ["vie"]}
        ],
        # The application computes the vectors (search/vectors.py): a userProvided embedder.
        **(
            {"embedders": {EMBEDDER: {"source": "userProvided", "dimensions": settings.vector}}}
            if settings.vector
            else {}
        ),
    }


def _same(current: Any, desired: Any, unordered: bool) -> bool:
    """Does the live value already say what the code says?  Dicts are compared
    on the keys the code sets (the server adds defaults for the others)."""
    if isinstance(desired, dict):
        return isinstance(current, dict) and all(
            _same(current.get(k), v, False) for k, v in desired.items()
        )
    if unordered and isinstance(desired, list) and isinstance(current, list):
        return sorted(map(str, current)) == sorted(map(str, desired))
    return current == desired


def _quote(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def create_app_key(
    url: str, master_key: str, index_name: str = "initiatives", description: str = "portal"
) -> str:
    """Create an API key limited to the portal's index (and its rebuild
    copies) and the actions the portal needs; the master key stays with the
    operator.  Returns the new key."""
    with _calls():
        client = meilisearch.Client(url, master_key)
        key = client.create_key(
            {
                "description": description,
                "actions": APP_KEY_ACTIONS,
                # the problems index is "<index_name>_problems" (and its rebuild copies)
                "indexes": [index_name, f"{index_name}_tmp*", f"{index_name}_problems*"],
                "expiresAt": None,
            }
        )
    return key.key


class MeilisearchEngine:
    def __init__(
        self,
        url: str,
        api_key: str | None,
        index_name: str = "initiatives",
        settings: IndexSettings = INITIATIVE_SETTINGS,
    ):
        self.client = meilisearch.Client(url, api_key, timeout=10)
        self.index_name = index_name
        self.settings = settings
        self.embedder = EMBEDDER if settings.vector else None
        self._synonyms: tuple[float, SynonymTable] | None = None
        self._generation: tuple[float, str] | None = None

    @property
    def _index(self) -> meilisearch.index.Index:
        return self.client.index(self.index_name)

    def _wait_uids(self, uids: Iterable[int], timeout_ms: int = WAIT_MS) -> None:
        for uid in uids:
            task = self.client.wait_for_task(uid, timeout_in_ms=timeout_ms)
            if task.status != "succeeded":
                raise RuntimeError(f"Meilisearch task {uid} {task.status}: {task.error}")

    def _create(self, uid: str) -> None:
        self._wait_uids([self.client.create_index(uid, {"primaryKey": "id"}).task_uid])

    def _apply_settings(self, uid: str, synonyms: dict[str, list[str]] | None) -> None:
        desired = settings_body(self.settings)
        if synonyms is not None:
            desired["synonyms"] = synonyms
        current = self.client.index(uid).get_settings()
        unordered = {"filterableAttributes", "sortableAttributes", "stopWords", "disableOnWords"}
        changes = {k: v for k, v in desired.items() if not _same(current.get(k), v, k in unordered)}
        if changes:
            self._wait_uids([self.client.index(uid).update_settings(changes).task_uid])

    def ensure_index(self) -> None:
        with _calls():
            try:
                self.client.get_index(self.index_name)
                synonyms = None
            except MeilisearchApiError as exc:
                if exc.code != "index_not_found":
                    raise
                self._create(self.index_name)
                synonyms = synonym_map(self.settings.synonyms)
            self._apply_settings(self.index_name, synonyms)

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> WriteTicket:
        clean = [self._document(d) for d in docs]
        if not clean:
            return WriteTicket()
        with _calls():
            tasks = self._index.add_documents_in_batches(
                clean, batch_size=BATCH_SIZE, primary_key="id"
            )
        return WriteTicket(tuple(t.task_uid for t in tasks))

    def _document(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """The checked document as Meilisearch takes it: with an embedder, the
        vector under ``_vectors`` (never regenerated by the server), or null
        for a document without one (it then takes no part in semantic ranking)."""
        rest, vector = split_vector(doc, self.settings.vector)
        clean = self.settings.schema.check(rest)
        if self.embedder:
            clean["_vectors"] = {
                self.embedder: None
                if vector is None
                else {"embeddings": vector, "regenerate": False}
            }
        return clean

    def delete(self, ids: Iterable[str]) -> WriteTicket:
        uids = []
        with _calls():
            for chunk in _chunks(ids, BATCH_SIZE):
                flt = f"id IN [{', '.join(_quote(i) for i in chunk)}]"
                uids.append(self._index.delete_documents(filter=flt).task_uid)
        return WriteTicket(tuple(uids))

    def wait(self, ticket: WriteTicket) -> None:
        with _calls():
            self._wait_uids(ticket.task_uids)

    def set_synonyms(self, groups: Iterable[Iterable[str]]) -> WriteTicket:
        with _calls():
            task = self._index.update_synonyms(synonym_map(normalise_synonyms(groups)))
        self._synonyms = None
        return WriteTicket((task.task_uid,))

    def _synonym_table(self) -> SynonymTable:
        """The index's synonyms, to group typed words into units as the
        embedded engine does (cached for a few seconds)."""
        now = time.monotonic()
        if self._synonyms is None or now - self._synonyms[0] > SYNONYMS_TTL:
            with _calls():
                mapping = self._index.get_synonyms()
            groups = [[word, *equivalents] for word, equivalents in mapping.items()]
            self._synonyms = (now, SynonymTable(groups))
        return self._synonyms[1]

    def _filter(
        self, filters: Mapping[str, Sequence[Any]], ranges: Mapping[str, tuple]
    ) -> list[str]:
        """Neutral filters → Meilisearch syntax: one string per AND-ed condition."""
        out = []
        for name, values in filters.items():
            values = [int(v) for v in values] if name in self.settings.numeric else list(values)
            out.append(f"{name} IN [{', '.join(_quote(v) for v in values)}]")
        for name, (lo, hi) in ranges.items():
            if lo is not None:
                out.append(f"{name} >= {int(lo)}")
            if hi is not None:
                out.append(f"{name} <= {int(hi)}")
        return out

    @staticmethod
    def _marked(formatted: Any) -> str:
        return html.escape(formatted).replace(PRE, "<mark>").replace(POST, "</mark>")

    @staticmethod
    def _marked_words(formatted: Mapping[str, Any]) -> list[str]:
        texts = [
            t
            for v in formatted.values()
            for t in (v if isinstance(v, list) else [v])
            if isinstance(t, str)
        ]
        return [part.split(POST, 1)[0] for text in texts for part in text.split(PRE)[1:]]

    def _exact_first(self, text: str, optional: list[Unit], hits: list[Hit]) -> list[Hit]:
        """Meilisearch folds accents away and has no optional words: within
        the page, put first the hits that contain more of the typed accented
        words verbatim, then more of the optional words as typed ("cua", not
        "của"), order otherwise kept."""
        accented = {accent_form(w) for w in tokenize(text) if fold(w) != w}
        extra = {accent_form(w) for u in optional for w in u.words}
        if not accented and not extra:
            return hits

        def rank(hit: Hit) -> tuple[int, int]:
            words = set()
            for name in self.settings.searchable:
                value = hit.document.get(name)
                for part in value if isinstance(value, list) else [value] if value else []:
                    words.update(tokenize(accent_form(part)))
            return len(accented & words), len(extra & words)

        return sorted(hits, key=rank, reverse=True)

    def _ask(self, text: str, params: Mapping[str, Any]) -> dict[str, Any]:
        with _calls():
            return dict(self._index.search(text, dict(params)))

    def _finds(self, text: str, strategy: str = "all", flt: list[str] | None = None) -> bool:
        found = self._ask(
            text,
            {
                "limit": 1,
                "matchingStrategy": strategy,
                "attributesToRetrieve": ["id"],
                "filter": flt or [],
            },
        )
        return bool(found["hits"])

    def _relax(self, required: list[Unit], flt: list[str]) -> tuple[str, list[Unit], list[Unit]]:
        """The strict query found nothing: (text to search, units that only
        rank, units ignored).

        As search/matching.py says: units that find nothing in the whole
        index are left out, then units from the end, down to the first one.
        The text searched with ``matchingStrategy: "all"`` is then exactly the
        first non-empty tier that ``matchingStrategy: "last"`` would list for
        the live units, the tier the embedded engine returns; the units
        dropped from the end only rank the page (``_exact_first``)."""
        alive = [u for u in required if self._finds(u.text)]
        dead = [u for u in required if u not in alive]
        for k in range(len(alive), 0, -1):
            text = " ".join(u.text for u in alive[:k])
            if (dead or k < len(alive)) and self._finds(text, flt=flt):
                return text, alive[k:], dead + alive[k:]
        return " ".join(u.text for u in required), [], []

    def search(self, query: Query) -> Result:
        """Strict, then relaxed as search/matching.py says (``_relax``)."""
        validate_query(query, self.settings)
        flt = self._filter(query.filters, query.ranges)
        found = units(query.text, self.settings.stop_words, self._synonym_table())
        required = [u for u in found if u.role == REQUIRED]
        optional = [u for u in found if u.role != REQUIRED]
        params: dict[str, Any] = {
            "filter": flt,
            "facets": list(query.facets),
            "matchingStrategy": "all",
            "showRankingScore": True,
            "attributesToHighlight": list(self.settings.searchable),
            "highlightPreTag": PRE,
            "highlightPostTag": POST,
            "attributesToCrop": list(self.settings.highlighted),
            "cropLength": CROP_WORDS,
        }
        if query.sort:
            # Ties are broken on id, so pages never overlap and every rebuild gives the same order.
            params["sort"] = [f"{name}:{direction}" for name, direction in query.sort]
            if all(name != "id" for name, _ in query.sort):
                params["sort"].append("id:asc")
        if query.limit == 0 or query.offset % query.limit == 0:
            # page/hitsPerPage makes Meilisearch count totalHits exhaustively.
            params["hitsPerPage"] = query.limit
            params["page"] = query.offset // query.limit + 1 if query.limit else 1
        else:
            params["offset"], params["limit"] = query.offset, query.limit
        text = " ".join(u.text for u in required)
        ignored: list[Unit] = []
        boost: list[Unit] = []
        if query.relax and required and not self._finds(text, flt=flt):
            text, boost, ignored = self._relax(required, flt)
        hybrid = query.vector is not None and query.semantic_ratio > 0
        if hybrid:
            # search/vectors.py: the filter applies to both rankings before they are merged
            assert query.vector is not None and self.embedder is not None  # validate_query
            params["vector"] = [float(v) for v in query.vector]
            params["hybrid"] = {"embedder": self.embedder, "semanticRatio": query.semantic_ratio}
        response = self._ask(" ".join(text.split()[:QUERY_WORDS]), params)
        hits = []
        for raw in response["hits"]:
            doc = {k: v for k, v in raw.items() if not k.startswith("_")}
            formatted = raw.get("_formatted", {})
            highlights = {
                name: self._marked(formatted[name])
                for name in self.settings.highlighted
                if query.highlight and isinstance(formatted.get(name), str)
            }
            hits.append(
                Hit(doc["id"], None if query.sort else raw.get("_rankingScore"), doc, highlights)
            )
        if not query.sort and not hybrid:
            hits = self._exact_first(query.text, [*optional, *boost], hits)
        distribution = response.get("facetDistribution", {})
        facets = {
            name: {
                (int(v) if name in self.settings.numeric else v): n
                for v, n in distribution.get(name, {}).items()
            }
            for name in query.facets
        }
        total = response.get("totalHits", response.get("estimatedTotalHits", 0))
        words = ignored_words(ignored, query.text) if total else ()
        return Result(hits, total, facets, self._suggestion(query, response, flt), words)

    def _suggestion(self, query: Query, response: Mapping[str, Any], flt: list[str]) -> str | None:
        """ "Did you mean", from the words Meilisearch matched in the top hit,
        offered only when the corrected query finds something with the same filters."""
        if not response["hits"]:
            return None
        found = self._marked_words(response["hits"][0].get("_formatted", {}))
        suggestion = corrected_query(query.text, found, self.settings.typo.min_word_size)
        if suggestion is None or not self._finds(suggestion, flt=flt):
            return None
        return suggestion

    def generation(self) -> str:
        """The index's last update time (asked at most every GENERATION_SECONDS)."""
        now = time.monotonic()
        if self._generation is None or now - self._generation[0] > GENERATION_SECONDS:
            with _calls():
                info = self._index.fetch_info()
            self._generation = (now, str(info.updated_at))
        return self._generation[1]

    def similar_text(
        self, text: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        """A search on ``text`` where words may be missing (the "last" matching strategy)."""
        with _calls():
            response = self._index.search(
                text,
                {
                    "filter": self._filter(filters or {}, {}),
                    "limit": limit,
                    "matchingStrategy": "last",
                    "attributesToSearchOn": list(self.settings.similar_on),
                    "showRankingScore": True,
                },
            )
        return [
            Hit(
                raw["id"],
                raw.get("_rankingScore"),
                {k: v for k, v in raw.items() if not k.startswith("_")},
            )
            for raw in response["hits"]
        ]

    def similar(
        self, id: str, limit: int = 5, filters: Mapping[str, Sequence[Any]] | None = None
    ) -> list[Hit]:
        """Candidates from a search on the document's title, keyword and summary
        words (``matchingStrategy: "frequency"`` drops the commonest first), ranked
        and cut by search/related.py as in the embedded engine: alike in WORDS,
        with or without an embedder (neighbours in meaning are a hybrid search with
        the document's vector, search/vectors.py)."""
        flt = [f"id != {_quote(id)}", *self._filter(filters or {}, {})]
        with _calls():
            try:
                doc = dict(self._index.get_document(id))
            except MeilisearchApiError as exc:
                if exc.code == "document_not_found":
                    return []
                raise
            doc = {k: v for k, v in doc.items() if not k.startswith("_")}
            words = similar_query_words(doc, self.settings.stop_words, QUERY_WORDS)
            response = self._index.search(
                " ".join(words),
                {
                    "filter": flt,
                    "limit": SIMILAR_CANDIDATES,
                    "matchingStrategy": "frequency",
                    "attributesToSearchOn": list(self.settings.similar_on),
                },
            )
        candidates = [
            {k: v for k, v in raw.items() if not k.startswith("_")} for raw in response["hits"]
        ]
        ranked = rank_similar(doc, candidates, self.settings.stop_words, limit)
        return [Hit(d["id"], score, d) for score, d in ranked]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        if not tokenize(prefix):
            return []
        with _calls():
            response = self._index.search(
                prefix,
                {
                    "attributesToSearchOn": [
                        f for f in ("title", "keywords") if f in self.settings.searchable
                    ],
                    "attributesToRetrieve": ["title", "keywords"],
                    "limit": limit * 4,
                    "matchingStrategy": "all",
                },
            )
        return rank_suggestions(prefix, response["hits"], limit)

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> None:
        self.ensure_index()
        tmp = f"{self.index_name}_tmp_{time.time_ns()}"
        with _calls():
            self._create(tmp)
            self._apply_settings(tmp, self._index.get_synonyms())
            count, uids = 0, list[int]()
            for chunk in _chunks((self._document(d) for d in docs), 10 * BATCH_SIZE):
                tasks = self.client.index(tmp).add_documents_in_batches(
                    chunk, batch_size=BATCH_SIZE, primary_key="id"
                )
                uids.extend(t.task_uid for t in tasks)
                count += len(chunk)
                if progress:
                    progress(count)
            self._wait_uids(uids, REBUILD_WAIT_MS)
            self._wait_uids(
                [self.client.swap_indexes([{"indexes": [self.index_name, tmp]}]).task_uid]
            )
            self._wait_uids([self.client.delete_index(tmp).task_uid])

    def document_versions(self) -> dict[str, int]:
        versions: dict[str, int] = {}
        offset = 0
        with _calls():
            while True:
                page = self._index.get_documents(
                    {"fields": ["id", "version"], "limit": BATCH_SIZE, "offset": offset}
                )
                versions.update({d.id: getattr(d, "version", None) for d in page.results})
                offset += len(page.results)
                if not page.results or offset >= page.total:
                    return versions

    def health(self) -> bool:
        try:
            return self.client.health().get("status") == "available"
        except MeilisearchError:
            return False
