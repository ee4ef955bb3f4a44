"""Searching the public catalogue, and the coordinators' synonym list.

A results page is served from the engine's stored documents alone: the
database is not read per hit (only a cached table of field names for facet
labels), so a search costs what the engine costs.
"""

from __future__ import annotations

import html
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

import search
from app.accounts.labels import organisation_type_label
from app.accounts.models import User
from app.catalogue import indexing
from app.catalogue.models import SynonymGroup
from app.catalogue.schemas import FACETS, MAX_PAGE, SearchParams, facet_titles
from app.db import utcnow
from app.errors import DomainError, NotFound, ValidationFailed
from app.i18n import _, get_language
from app.initiatives.labels import ip_status_label
from app.initiatives.models import Field, Initiative
from app.initiatives.visibility import is_public, read_status, visible_view
from app.initiatives.workflow import PUBLISHED_STATES
from app.outbox import service as outbox
from app.outbox import topics
from search.kept import Kept
from search.text import tokenize

SNIPPET_WORDS = 30
SIMILAR = 4
SUGGESTIONS = 8


class SearchUnavailable(DomainError):
    """The engine cannot answer now; the page says so instead of failing."""

    status, code = 503, "search-unavailable"


def _engine(session: Session | None = None) -> search.Engine:
    try:
        return indexing.engine(session)
    except (search.SearchUnavailable, OSError) as exc:
        raise SearchUnavailable(
            _("Search is temporarily unavailable. Please try again in a few minutes.")
        ) from exc


def _ask(session: Session | None, call: str, *args, **kwargs):
    """Run one engine call; an unreachable engine becomes a 503 for the visitor."""
    eng = _engine(session)
    try:
        return getattr(eng, call)(*args, **kwargs)
    except (search.SearchUnavailable, OSError) as exc:
        raise SearchUnavailable(
            _("Search is temporarily unavailable. Please try again in a few minutes.")
        ) from exc


_fields_cache: tuple[float, dict[str, tuple[str, str]]] | None = None
_fields_lock = threading.Lock()
FIELDS_TTL = 300.0


def field_names(session: Session, *, fresh: bool = False) -> dict[str, tuple[str, str]]:
    """code → (Vietnamese, English) name of every field, cached for a few minutes
    (`fresh` reads them again, for a code the cache does not know yet)."""
    return _field_names(session, fresh)[1]


def _field_names(session: Session, fresh: bool = False) -> tuple[float, dict[str, tuple[str, str]]]:
    """(when they were read, `field_names`)."""
    global _fields_cache
    with _fields_lock:
        stale = _fields_cache is not None and time.monotonic() - _fields_cache[0] > FIELDS_TTL
        if fresh or stale or _fields_cache is None:
            rows = session.exec(select(Field.code, Field.name_vi, Field.name_en)).all()
            _fields_cache = (time.monotonic(), {code: (vi, en) for code, vi, en in rows})
        return _fields_cache


def field_label(session: Session, code: str | None, fallback: str = "") -> str:
    """A field's name in the reader's language (search documents hold the Vietnamese name)."""
    return field_labeller(session)(code, fallback)


def field_labeller(session: Session) -> Callable[[str | None, str], str]:
    """`field_label` for a page that names many fields (a field per search hit): the names
    are looked up once, and again only for a code they do not know yet."""
    names = field_names(session)
    english = get_language() == "en"

    def label(code: str | None, fallback: str = "") -> str:
        nonlocal names
        if not code:
            return fallback
        pair = names.get(code)
        if pair is None:
            names = field_names(session, fresh=True)
            pair = names.get(code)
        if pair is None:
            return fallback
        return (pair[1] if english else pair[0]) or pair[0]

    return label


def facet_labeller(session: Session) -> Callable[[str, Any], str]:
    """A search facet value's name in the reader's language (provinces as they are)."""
    field = field_labeller(session)

    def label(facet: str, value: Any) -> str:
        if facet == "field":
            return field(value, str(value))
        if facet == "org_type":
            return organisation_type_label(value)
        if facet == "ip":
            return ip_status_label(value)
        if facet == "trl":
            return _("TRL %(n)s", n=value)
        return str(value)

    return label


# -- results ------------------------------------------------------------------

_MARK = re.compile(r"(</?mark>)")


def safe_marked(fragment: str) -> str:
    """Only <mark> survives from an engine's highlight; everything else is escaped.

    The engines already escape, but this page does not rely on it: the
    fragment is unescaped, then escaped again around the mark tags.
    """
    out = []
    for part in _MARK.split(fragment):
        out.append(
            part if part in ("<mark>", "</mark>") else html.escape(html.unescape(part), quote=False)
        )
    return "".join(out)


def _crop(text: str, words: int = SNIPPET_WORDS) -> str:
    parts = text.split()
    return html.escape(" ".join(parts[:words]) + (" …" if len(parts) > words else ""), quote=False)


@dataclass(frozen=True)
class HitView:
    id: int
    doc: dict[str, Any]
    title_html: str
    snippet_html: str
    reasons: tuple[str, ...] = ()  # why a "similar initiative" was suggested (matching)

    @property
    def url(self) -> str:
        return public_url(self.id)


@dataclass(frozen=True)
class FacetValueView:
    value: Any
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class FacetView:
    name: str
    title: str
    values: list[FacetValueView]

    @property
    def selected(self) -> list[FacetValueView]:
        return [v for v in self.values if v.selected]


@dataclass(frozen=True)
class ResultsPage:
    params: SearchParams
    total: int
    pages: int
    hits: list[HitView]
    facets: list[FacetView]
    suggestion: str | None
    ignored: tuple[str, ...] = ()  # typed words the results do not contain
    # Names what the page was built from (parameters, language, index, field names):
    # pages with the same stamp are the same, so their rendered parts may be kept too
    # (catalogue/search.html). Empty when the index could not say its generation.
    stamp: str = ""

    @property
    def suggestion_url(self) -> str | None:
        return self.params.url(q=self.suggestion) if self.suggestion else None

    @property
    def searched_for(self) -> str:
        """The typed words the results were found with (``ignored`` left out)."""
        return searched_for(self.params.q, self.ignored)


def searched_for(q: str, ignored: tuple[str, ...]) -> str:
    """The typed words of ``q`` without those left out."""
    left = list(ignored)
    kept = []
    for word in q.split():
        if word in left:
            left.remove(word)
        else:
            kept.append(word)
    return " ".join(kept)


def public_url(initiative_id: int | str) -> str:
    return f"/catalogue/{initiative_id}"


def _engine_filters(filters: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {FACETS[name][0]: values for name, values in filters.items() if values}


def _sort(params: SearchParams) -> list[tuple[str, str]] | None:
    if params.sort == "newest" or (params.sort == "relevance" and not params.q):
        return [("published_at", "desc")]
    if params.sort == "trl":
        return [("trl", "desc")]
    return None


def engine_query(params: SearchParams) -> search.Query:
    """What a results page asks the engine, before sorting, paging and facets.

    Saved-search subscriptions evaluate this same query, so a subscriber is
    told about exactly what the page would show.
    """
    return search.Query(text=params.q, filters=_engine_filters(params.filters))


RESULTS_KEPT = 512  # results pages × languages; a page's views are a few KiB


def _own_hits(hits: list[HitView]) -> list[HitView]:
    """Kept hits as a caller may change them (the views are frozen, their documents not)."""
    return [replace(hit, doc=dict(hit.doc)) for hit in hits]


def _copy_results(results: ResultsPage) -> ResultsPage:
    return replace(
        results,
        hits=_own_hits(results.hits),
        facets=[replace(facet, values=list(facet.values)) for facet in results.facets],
    )


_results: Kept[ResultsPage] = Kept(RESULTS_KEPT, copy=_copy_results)


def run_search(session: Session, params: SearchParams) -> ResultsPage:
    """One results page with facet counts, kept per process and language.

    Facets combine as OR within a facet and AND across facets. A facet's counts
    are computed with every filter except its own (one extra engine query per
    facet in use), so a visitor sees how many results each other value of that
    facet would add, not just the value already chosen.

    The page (hits with their marked titles and snippets, facets with their labels
    and links) depends only on the parameters, the language, the index and the
    field names, so it is kept while the index's generation and the field names
    read (`field_names`, at most FIELDS_TTL old) are unchanged: the engine's own
    kept answer still left the building of these views to every request.
    """
    try:
        index = indexing.engine(session).generation()
    except (search.SearchUnavailable, OSError):  # nothing to keep it by: ask (and say so)
        return _run_search(session, params)
    names_read, _names = _field_names(session)
    key = (tuple(params.query_items()), params.per_page, get_language())
    generation = f"{index}|{names_read}"
    return _results.get(
        key,
        generation,
        lambda: replace(_run_search(session, params), stamp=f"{generation}|{key!r}"),
    )


def _run_search(session: Session, params: SearchParams) -> ResultsPage:
    base: dict[str, Any] = {"text": params.q, "highlight": False}
    selected = [name for name in FACETS if params.filters.get(name)]
    main = _ask(
        session,
        "search",
        replace(
            engine_query(params),
            facets=[FACETS[n][0] for n in FACETS if n not in selected],
            sort=_sort(params),
            offset=(params.page - 1) * params.per_page,
            limit=params.per_page,
            highlight=bool(tokenize(params.q)),  # nothing to mark without words: plain crop
        ),
    )
    counts = {n: main.facets.get(FACETS[n][0], {}) for n in FACETS if n not in selected}
    for name in selected:
        other = _engine_filters(params.without(name))
        counts[name] = _ask(
            session,
            "search",
            search.Query(**base, filters=other, facets=[FACETS[name][0]], limit=0),
        ).facets.get(FACETS[name][0], {})

    label = facet_labeller(session)
    titles = facet_titles()
    facets = []
    for name in FACETS:
        chosen = params.filters.get(name, [])
        found = dict(counts.get(name, {}))
        for value in chosen:
            found.setdefault(value, 0)  # a chosen value stays visible (and removable) at 0
        ordered = sorted(found.items(), key=lambda kv: _facet_order(name, kv))
        values = [
            FacetValueView(
                v, label(name, v), n, v in chosen, params.url(filters=params.toggled(name, v))
            )
            for v, n in ordered
        ]
        if values:
            facets.append(FacetView(name, titles[name], values))

    hits = [_hit_view(hit) for hit in main.hits]
    pages = min(math.ceil(main.total / params.per_page), MAX_PAGE)
    return ResultsPage(params, main.total, pages, hits, facets, main.suggestion, main.ignored)


def _facet_order(name: str, item: tuple[Any, int]) -> tuple:
    value, count = item
    if name in ("trl", "year"):
        return (-value,) if name == "year" else (value,)
    return (-count, str(value))


def _hit_view(hit: search.Hit) -> HitView:
    doc = hit.document
    title = hit.highlights.get("title")
    summary = hit.highlights.get("summary")
    return HitView(
        id=int(doc["id"]),
        doc=doc,
        title_html=safe_marked(title) if title else html.escape(doc.get("title", ""), quote=False),
        snippet_html=safe_marked(summary) if summary else _crop(doc.get("summary", "")),
    )


def ignored_notice(results: ResultsPage) -> str | None:
    """ "No result contains 'bằng'; showing results for …", when words were left out."""
    return relaxed_notice(results.params.q, results.ignored)


def relaxed_notice(q: str, ignored: tuple[str, ...]) -> str | None:
    """The notice of any search (initiatives, problems) that left typed words out."""
    if not ignored:
        return None
    return _(
        "No results contain %(words)s; showing results for “%(query)s”.",
        words=", ".join(f"“{w}”" for w in ignored),
        query=searched_for(q, ignored),
    )


def suggest(session: Session, prefix: str) -> list[str]:
    prefix = " ".join(prefix.split())[:100]
    return _ask(session, "suggest", prefix, SUGGESTIONS) if tokenize(prefix) else []


def similar(session: Session | None, initiative_id: int) -> list[HitView]:
    """Published initiatives like this one; an unreachable engine only hides the block.

    With a session the hybrid ranking of `app.matching` decides (lexical only when
    EMBEDDING_BACKEND is none), and every hit carries its reasons."""
    if session is not None:
        from app.matching import service as matching

        return [
            HitView(
                s.id,
                s.doc,
                html.escape(s.doc.get("title", ""), quote=False),
                _crop(s.doc.get("summary", "")),
                s.reasons,
            )
            for s in matching.similar(session, initiative_id, limit=SIMILAR)
        ]
    try:
        hits = indexing.engine(session).similar(str(initiative_id), limit=SIMILAR)
    except (search.SearchUnavailable, OSError):
        return []
    return [
        HitView(
            int(h.document["id"]),
            h.document,
            html.escape(h.document.get("title", ""), quote=False),
            _crop(h.document.get("summary", "")),
        )
        for h in hits
    ]


def published_initiative(session: Session, initiative_id: int) -> Initiative:
    """A published initiative for the public page; anything else is "not found" to the public."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or not is_public(initiative):
        raise NotFound(_("This initiative is not published."))
    return initiative


@dataclass(frozen=True)
class CertificateView:
    number: str
    issued_at: datetime


@dataclass(frozen=True)
class PublishedPage:
    """What every reader may read of a published initiative, the same for all of them:
    its sections as an anonymous reader sees them (`visible_view`, user None), its current
    certificate, and the similar initiatives with their reasons (in one language)."""

    item: dict[str, Any]
    certificate: CertificateView | None
    similar: list[HitView]
    # Names what the page was built from (the row's and the vectors' stamps, the index, the
    # field names read, the language): equal stamps, equal pages, so their rendered parts may be kept too
    # (catalogue/initiative.html). Empty when the index could not say its generation.
    stamp: str = ""


PAGES_KEPT = 1024  # initiatives × languages; a page is a few KiB


def _copy_page(page: PublishedPage) -> PublishedPage:
    return replace(
        page,
        item=dict(page.item),
        similar=_own_hits(page.similar),
    )


_pages: Kept[PublishedPage] = Kept(PAGES_KEPT, copy=_copy_page)


def published_page(session: Session, initiative_id: int) -> PublishedPage:
    """The public page's data (and the API's public record), kept per process.

    Signed-in readers are not served by the anonymous page cache, and paid about ten
    statements and the "similar" ranking per visit; they now share this kept data, and
    only their own part (a view noted, the full-record link) is theirs. It is kept while
    the initiative's row (status and last change: a transition, publication with its
    certificate, unpublication with its revocation, read in one statement, so a takedown
    is seen at once), the search index's generation and the vectors (both change
    "similar") are unchanged. The stamps are read before the data, so a change committed
    meanwhile is stored under the older stamps and replaced at the next visit.
    Not published: `NotFound`, never kept.
    """
    from app.matching import service as matching

    # One statement: the row's stamp and the vectors' (the page's contact panel reuses the status).
    row = read_status(session, initiative_id, Initiative.updated_at, matching.similar_generation())
    if row is None or row[0] not in PUBLISHED_STATES:
        raise NotFound(_("This initiative is not published."))
    try:
        index = indexing.engine(session).generation()
    except (search.SearchUnavailable, OSError):  # nothing to keep it by: as before
        return _published_page(session, initiative_id)
    # The field names read too: the similar initiatives name their fields (at most
    # FIELDS_TTL old, as on the search page).
    names_read, _names = _field_names(session)
    generation = f"{row[0]}|{row[1]}|{index}|{row[2]}|{names_read}"
    key = (initiative_id, get_language())
    return _pages.get(
        key,
        generation,
        lambda: replace(_published_page(session, initiative_id), stamp=f"{generation}|{key!r}"),
    )


def _published_page(session: Session, initiative_id: int) -> PublishedPage:
    from app.publication import service as publication

    initiative = published_initiative(session, initiative_id)
    certificate = publication.current_certificate(session, initiative)
    return PublishedPage(
        item=visible_view(session, None, initiative, log=False),
        certificate=CertificateView(certificate.number, certificate.issued_at)
        if certificate
        else None,
        similar=similar(session, initiative.id),
    )


# -- synonyms -------------------------------------------------------------------


def synonym_groups(session: Session) -> list[SynonymGroup]:
    return list(session.exec(select(SynonymGroup).order_by(col(SynonymGroup.id))).all())


def _terms(text: str) -> list[str]:
    terms = list(dict.fromkeys(" ".join(t.split()).lower() for t in text.split(",") if t.strip()))
    if len(terms) < 2:
        raise ValidationFailed(
            _("Please correct the errors"),
            errors={"terms": _("Enter at least two words or phrases, separated by commas.")},
        )
    if any(len(t) > 80 for t in terms):
        raise ValidationFailed(
            _("Please correct the errors"),
            errors={"terms": _("Each word or phrase may have at most 80 characters.")},
        )
    return terms


def _queue_push(session: Session) -> None:
    """The engine takes the list after commit, through the outbox (retried if it is down)."""
    outbox.enqueue(session, topics.CATALOGUE_SYNONYMS_CHANGED, {}, key="catalogue:synonyms")


def add_synonyms(session: Session, text: str, *, by: User) -> SynonymGroup:
    group = SynonymGroup(terms=_terms(text), updated_by_id=by.id, updated_at=utcnow())
    session.add(group)
    session.flush()
    _queue_push(session)
    return group


def update_synonyms(session: Session, group_id: int, text: str, *, by: User) -> SynonymGroup:
    group = session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound(_("This synonym group does not exist."))
    group.terms, group.updated_by_id, group.updated_at = _terms(text), by.id, utcnow()
    session.add(group)
    session.flush()
    _queue_push(session)
    return group


def remove_synonyms(session: Session, group_id: int) -> None:
    group = session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound(_("This synonym group does not exist."))
    session.delete(group)
    session.flush()
    _queue_push(session)
