"""What the uses share: hard filters on public facts, the `Match` they return, the words in
common that explain it, and the per-worker cache of short texts' query vectors.

Everything here reads PUBLIC text only (search documents, a problem's public fields).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from app.accounts.models import Organisation
from app.catalogue.service import field_label
from app.i18n import TIMEZONE, _
from app.initiatives.models import Field, Initiative
from app.initiatives.workflow import PUBLISHED_STATES
from app.matching import service
from app.problems.models import Problem
from search.embeddings import Embedder
from search.text import fold, tokenize


@dataclass(frozen=True)
class Filters:
    """Hard filters on a candidate's public facts: `values` maps a search-document key
    (field_code, province, ...) to the allowed values; TRL as an inclusive range."""

    values: dict[str, frozenset[Any]] = field(default_factory=dict)
    trl_min: int | None = None
    trl_max: int | None = None

    def allows(self, doc: dict[str, Any]) -> bool:
        for key, allowed in self.values.items():
            if allowed and doc.get(key) not in allowed:
                return False
        trl = doc.get("trl")
        if self.trl_min is not None and (trl is None or trl < self.trl_min):
            return False
        return not (self.trl_max is not None and (trl is None or trl > self.trl_max))


def facts(session: Session, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The filterable public facts of published initiatives, in two queries (not one
    search document per candidate): keys as in the search documents."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    fields: dict[int | None, str] = {f.id: f.code for f in session.exec(select(Field))}
    rows = session.exec(
        select(Initiative, Organisation.type)
        .join(
            Organisation,
            col(Organisation.id) == col(Initiative.organisation_id),
            isouter=True,
        )
        .where(
            col(Initiative.id).in_(wanted),
            col(Initiative.status).in_([str(s) for s in PUBLISHED_STATES]),
        )
    ).all()
    out = {}
    for initiative, org_type in rows:
        published = initiative.published_at or initiative.updated_at
        out[initiative.id] = {
            "field_code": fields.get(initiative.field_id),
            "subfield_code": fields.get(initiative.subfield_id),
            "province": initiative.province,
            "trl": initiative.trl,
            "ip_status": initiative.ip_status,
            "organisation_type": str(org_type) if org_type else None,
            "publication_year": published.astimezone(TIMEZONE).year,
        }
    return out


@dataclass(frozen=True)
class Match:
    id: int
    title: str
    url: str
    score: float
    closeness: float | None
    shared_terms: tuple[str, ...]
    reasons: tuple[str, ...]
    facts: dict[str, Any]  # public facts only (the search document, or a problem's)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "closeness": None if self.closeness is None else round(self.closeness, 4),
            "shared_terms": list(self.shared_terms),
            "reasons": list(self.reasons),
        }


# -- words in common -------------------------------------------------------------------


_CLAUSE = re.compile(r"[.,;:!?()\[\]\n\r\t–—-]+")


def _clauses(text: str) -> list[list[str]]:
    """Words per clause: a phrase never runs across punctuation."""
    return [words for part in _CLAUSE.split(text) if (words := tokenize(part))]


def _pairs(text: str) -> set[str]:
    return {
        f"{fold(a)} {fold(b)}"
        for words in _clauses(text)
        for a, b in zip(words, words[1:], strict=False)
    }


def common_terms(need: str, doc: dict[str, Any], limit: int = 3) -> tuple[str, ...]:
    """Key terms of an initiative that the text `need` also uses, as the initiative writes
    them: its keywords first, then the longest runs of words its title and summary share
    with `need` (so "vườn cà phê", never the fragment "vườn cà"), without function words at
    either end. A term inside one already named is not repeated."""
    folded = f" {' '.join(fold(w) for w in tokenize(need))} "
    found: list[tuple[str, str]] = []
    for k in doc.get("keywords", []):
        key = " ".join(fold(w) for w in tokenize(k))
        if key and f" {key} " in folded:
            found.append((key, " ".join(tokenize(k))))
    theirs = _pairs(need)
    for words in _clauses(f"{doc.get('title', '')}. {doc.get('summary', '')}"):
        shared = [f"{fold(a)} {fold(b)}" in theirs for a, b in zip(words, words[1:], strict=False)]
        i = 0
        while i < len(shared):
            if not shared[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(shared) and shared[j + 1]:
                j += 1
            run = words[i : j + 2]
            while run and fold(run[0]) in service.STOPWORDS:
                run = run[1:]
            while run and fold(run[-1]) in service.STOPWORDS:
                run = run[:-1]
            if len(run) >= 2:
                found.append((" ".join(fold(w) for w in run), " ".join(run)))
            i = j + 1
    kept: list[tuple[str, str]] = []
    for key, written in found:
        if not any(key in k or k in key for k, _w in kept):
            kept.append((key, written))
    return tuple(w for _k, w in kept)[:limit]


def lexical_overlap(a: str, b: str) -> float:
    """Share of meaningful words in common (Dice), for ranking without an engine."""
    ta = {fold(w) for w in tokenize(a)} - service.STOPWORDS
    tb = {fold(w) for w in tokenize(b)} - service.STOPWORDS
    return 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0


def floor_of(best: float | None, minimum: float, margin: float) -> float:
    return minimum if best is None else max(minimum, best - margin)


_queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_queries_lock = threading.Lock()
QUERY_CACHE = 4096


def query_vector(emb: Embedder, text: str) -> np.ndarray:
    """A short text's query vector (~0.05 s on 2 cores), cached per worker (least recently
    used first out)."""
    key = (emb.name, " ".join(text.split())[:2000])
    with _queries_lock:
        if key in _queries:
            _queries.move_to_end(key)
            return _queries[key]
    vector = emb.embed_query(key[1])
    with _queries_lock:
        _queries[key] = vector
        while len(_queries) > QUERY_CACHE:
            _queries.popitem(last=False)
    return vector


def problem_filters(session: Session, problem: Problem, same_field: bool = False) -> Filters:
    """The problem's own facts as hard filters: its provinces when it is local (always), its
    field when asked (`same_field`: off by default, because answers often come from another
    field: an IoT network for a landslide warning, measured on the demo)."""
    values: dict[str, frozenset[Any]] = {}
    fld = session.get(Field, problem.field_id) if problem.field_id else None
    if fld is not None and same_field:
        values["field_code"] = frozenset({fld.code})
    if problem.scope == "provinces" and problem.provinces:
        values["province"] = frozenset(problem.provinces)
    return Filters(values)


def need_reasons(
    session: Session,
    terms: Sequence[str],
    doc: dict[str, Any],
    field_code: str | None,
    filters: Filters,
    closeness: float | None,
) -> tuple[str, ...]:
    out = []
    if terms:
        out.append(_("Shared key terms: %(terms)s") % {"terms": ", ".join(terms)})
    if field_code and doc.get("field_code") == field_code and doc.get("field_name"):
        field = field_label(session, field_code, doc["field_name"])
        out.append(_("Same field: %(field)s") % {"field": field})
    if "province" in filters.values and doc.get("province"):
        out.append(_("In the problem's province: %(province)s") % {"province": doc["province"]})
    if closeness is not None:
        out.append(service.closeness_words(closeness + 0.02))  # a need is shorter than a passage
    return tuple(out)


def search_filters(filters: dict[str, list[Any]]) -> Filters:
    """The catalogue page's facet filters as hard filters on search documents."""
    from app.catalogue.schemas import FACETS

    return Filters(
        {FACETS[name][0]: frozenset(v) for name, v in filters.items() if v and name in FACETS}
    )
