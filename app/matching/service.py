"""Embedding initiatives' public text and the hybrid "similar initiatives".

Only the catalogue's public whitelist is embedded (`indexing.document_for`:
title, keywords, summary, field), so a confidential section can never
influence a vector or a match. Vectors are computed by the outbox worker
(`tasks.py`) and `portal embed --missing`, never on a request; a request reads
an in-memory matrix per worker, reloaded when the table changes.

Ranking: the engine's lexical neighbours and the cosine neighbours are fused
by reciprocal rank fusion; a neighbour whose meaning is not close enough
(`MIN_CLOSENESS`) is not shown. Every suggestion carries its reasons. With the
`none` backend the lexical behaviour is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal
from sqlmodel import Session, col, delete, select

import search
from app.catalogue import indexing
from app.catalogue.service import field_label
from app.config import get_settings
from app.db import utcnow
from app.i18n import _
from app.initiatives.models import Field, Initiative
from app.matching import vectors
from app.matching.models import InitiativeVector, ProblemVector
from app.problems.models import Problem
from app.problems.workflow import PUBLIC_STATES as PROBLEM_PUBLIC_STATES
from search.embeddings import Embedder, get_embedder, to_blob
from search.text import fold, tokenize

RRF_K = 60
CANDIDATES = 20
# e5 passage-to-passage cosines sit high: unrelated Vietnamese initiatives score ~0.82-0.84,
# paraphrases ~0.90, near-duplicates ~0.96 (measured on the tests and bench/matching.py).
MIN_CLOSENESS = 0.87  # for a neighbour the engine found too (shared words)
SEMANTIC_ONLY_MIN = 0.90  # for a neighbour only the vectors found (a paraphrase)
VERY_CLOSE, CLOSE = 0.94, 0.90
_STOPWORDS = (
    "và của cho các một những trong với trên tại theo để từ là có được này đó khi "
    "về bằng hệ thống ứng dụng giải pháp nghiên cứu sử dụng phương pháp quy trình"
)
STOPWORDS = frozenset(fold(w) for w in _STOPWORDS.split())


def embedder() -> Embedder:
    return get_embedder(get_settings().embedding_backend or None)


# -- what is embedded ---------------------------------------------------------------


def public_text(doc: dict[str, Any]) -> str:
    """The text of a search document (already whitelisted) that a vector is made from."""
    parts = [doc.get("title", ""), ", ".join(doc.get("keywords", [])), doc.get("summary", "")]
    if doc.get("field_name"):
        parts.append(doc["field_name"])
    return "\n".join(p for p in parts if p)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embed_initiative(session: Session, initiative_id: int, emb: Embedder | None = None) -> str:
    """Bring one initiative's vector up to date; returns "embedded", "unchanged" or "deleted"."""
    emb = emb or embedder()
    if not emb.available:
        return "unchanged"
    initiative = session.get(Initiative, initiative_id)
    doc = indexing.document_for(session, initiative) if initiative else None
    row = session.get(InitiativeVector, (initiative_id, emb.name))
    if doc is None:
        if row is not None:
            session.delete(row)
            vectors.bump(session, "initiative", emb.name)
        return "deleted"
    text = public_text(doc)
    if row is not None and row.text_hash == _hash(text):
        return "unchanged"
    [vector] = emb.embed_passages([text])
    _store(session, initiative_id, emb.name, text, vector, row)
    vectors.bump(session, "initiative", emb.name)
    _to_engine(session, [initiative_id])
    return "embedded"


def _to_engine(session: Session, initiative_ids: list[int]) -> None:
    """When the engine searches the vectors (app/matching/vectors.py), the documents carry
    them: upsert the documents whose vector changed."""
    if indexing.vector_dimension(get_settings()):
        indexing.refresh(session, initiative_ids)


def _store(session, initiative_id, model, text, vector, row) -> None:
    if row is None:
        row = InitiativeVector(initiative_id=initiative_id, model=model, text_hash="", vector=b"")
    row.text_hash, row.vector, row.updated_at = _hash(text), to_blob(vector), utcnow()
    session.add(row)
    session.flush()


def missing(session: Session, emb: Embedder) -> list[tuple[int, str]]:
    """Published initiatives whose vector for this model is absent or outdated: (id, text)."""
    have = {
        i: h
        for i, h in session.exec(
            select(InitiativeVector.initiative_id, InitiativeVector.text_hash).where(
                InitiativeVector.model == emb.name
            )
        ).all()
    }
    out = []
    for doc in indexing.published_documents_batched(session):
        text = public_text(doc)
        if have.get(int(doc["id"])) != _hash(text):
            out.append((int(doc["id"]), text))
    return out


def embed_missing(
    session: Session,
    emb: Embedder | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 16,
) -> int:
    """Backfill: embed every published initiative without an up-to-date vector."""
    emb = emb or embedder()
    if not emb.available:
        return 0
    todo = missing(session, emb)
    done = 0
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        embedded = emb.embed_passages([t for _i, t in chunk])
        for (initiative_id, text), vector in zip(chunk, embedded, strict=True):
            row = session.get(InitiativeVector, (initiative_id, emb.name))
            _store(session, initiative_id, emb.name, text, vector, row)
        _to_engine(session, [i for i, _t in chunk])
        done += len(chunk)
        if progress:
            progress(done)
    for problem_id, text in missing_problems(session, emb):
        vector = emb.embed_query(text)
        _store_problem(session, problem_id, emb.name, text, vector)
        done += 1
        if progress:
            progress(done)
    if done:
        # Once, at the end: the stamp's row stays locked until the backfill commits, and the
        # worker's own embeddings (a publication meanwhile) would wait for it that long.
        vectors.bump(session, "initiative", emb.name)
        vectors.bump(session, "problem", emb.name)
    return done


def purge_other_models(session: Session, emb: Embedder) -> None:
    session.exec(delete(InitiativeVector).where(col(InitiativeVector.model) != emb.name))
    session.exec(delete(ProblemVector).where(col(ProblemVector.model) != emb.name))


# -- problem statements ------------------------------------------------------------


def problem_text(session: Session, problem: Problem) -> str | None:
    """The PUBLIC text of a problem a vector is made from (None unless it is public).

    Only fields of `problems.visibility.PUBLIC_FIELDS`: never `details` or attachments.
    """
    if problem.status not in PROBLEM_PUBLIC_STATES:
        return None
    fld = session.get(Field, problem.field_id) if problem.field_id else None
    parts = [problem.title, problem.abstract, problem.pain, problem.affected, problem.workaround]
    if fld is not None:
        parts.append(fld.name_vi)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _store_problem(session, problem_id, model, text, vector) -> None:
    row = session.get(ProblemVector, (problem_id, model))
    if row is None:
        row = ProblemVector(problem_id=problem_id, model=model, text_hash="", vector=b"")
    row.text_hash, row.vector, row.updated_at = _hash(text), to_blob(vector), utcnow()
    session.add(row)
    session.flush()


def embed_problem(session: Session, problem_id: int, emb: Embedder | None = None) -> str:
    """Bring one problem's vector up to date; "embedded", "unchanged" or "deleted".

    A problem is embedded as a query (what is needed), to meet initiatives' passages.
    """
    emb = emb or embedder()
    if not emb.available:
        return "unchanged"
    problem = session.get(Problem, problem_id)
    text = problem_text(session, problem) if problem else None
    row = session.get(ProblemVector, (problem_id, emb.name))
    if text is None:
        if row is not None:
            session.delete(row)
            session.flush()
            vectors.bump(session, "problem", emb.name)
        return "deleted"
    if row is not None and row.text_hash == _hash(text):
        return "unchanged"
    _store_problem(session, problem_id, emb.name, text, emb.embed_query(text))
    vectors.bump(session, "problem", emb.name)
    return "embedded"


def missing_problems(session: Session, emb: Embedder) -> list[tuple[int, str]]:
    """Public problems whose vector for this model is absent or outdated: (id, text)."""
    have = dict(
        session.exec(
            select(ProblemVector.problem_id, ProblemVector.text_hash).where(
                ProblemVector.model == emb.name
            )
        ).all()
    )
    out = []
    for problem in session.exec(
        select(Problem)
        .where(col(Problem.status).in_([str(s) for s in PROBLEM_PUBLIC_STATES]))
        .order_by(col(Problem.id))
    ):
        text = problem_text(session, problem)
        if text is not None and have.get(problem.id) != _hash(text):
            out.append((problem.id, text))
    return out


# -- similar initiatives ------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    id: int
    doc: dict[str, Any]
    score: float
    closeness: float | None
    shared_terms: tuple[str, ...]
    reasons: tuple[str, ...]


def _phrases(doc: dict[str, Any]) -> dict[str, str]:
    """Folded key term → as written: the keywords, and title word pairs without stopwords."""
    out: dict[str, str] = {}
    for k in doc.get("keywords", []):
        out.setdefault(fold(" ".join(k.split())), k.strip().lower())
    words = tokenize(doc.get("title", ""))
    for a, b in zip(words, words[1:], strict=False):
        if fold(a) not in STOPWORDS and fold(b) not in STOPWORDS:
            out.setdefault(fold(f"{a} {b}"), f"{a} {b}")
    return out


def shared_terms(a: dict[str, Any], b: dict[str, Any], limit: int = 3) -> tuple[str, ...]:
    """Key terms both documents use (keywords first, then title word pairs)."""
    pa, pb = _phrases(a), _phrases(b)
    common = [k for k in pb if k in pa]
    # "nhỏ giọt" says nothing more once "tưới nhỏ giọt" is named
    kept = [k for k in common if not any(k != o and k in o for o in common)]
    return tuple(pb[k] for k in kept)[:limit]


def closeness_words(closeness: float) -> str:
    if closeness >= VERY_CLOSE:
        return _("Very close in meaning")
    if closeness >= CLOSE:
        return _("Close in meaning")
    return _("Related in meaning")


def reasons(
    session: Session, base: dict[str, Any], doc: dict[str, Any], closeness: float | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    terms = shared_terms(base, doc)
    out = []
    if terms:
        out.append(_("Shared key terms: %(terms)s") % {"terms": ", ".join(terms)})
    if base.get("field_code") and base.get("field_code") == doc.get("field_code"):
        field = field_label(session, doc.get("field_code"), doc.get("field_name", ""))
        out.append(_("Same field: %(field)s") % {"field": field})
    if closeness is not None:
        out.append(closeness_words(closeness))
    return terms, tuple(out)


def rrf(*rankings: list[int], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an item appears in."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def similar(
    session: Session, initiative_id: int, limit: int = 4, emb: Embedder | None = None
) -> list[Suggestion]:
    """Published initiatives like this one, with reasons; lexical only without a model."""
    emb = emb or embedder()
    initiative = session.get(Initiative, initiative_id)
    base = indexing.document_for(session, initiative) if initiative else None
    if base is None:
        return []
    try:
        lexical_hits = indexing.engine(session).similar(str(initiative_id), limit=CANDIDATES)
    except (search.SearchUnavailable, OSError):
        lexical_hits = []
    docs = {int(h.document["id"]): h.document for h in lexical_hits}
    lexical = [int(h.document["id"]) for h in lexical_hits]
    if not emb.available:
        chosen: list[tuple[int, float, float | None]] = [(i, 0.0, None) for i in lexical[:limit]]
    else:
        store = vectors.initiative_vectors(session, emb)
        v = store.vector(initiative_id)
        cos: dict[int, float] = {}
        semantic: list[int] = []
        if v is not None:
            nearest = store.nearest(v, CANDIDATES + 1)
            semantic = [i for i, _c in nearest if i != initiative_id]
            cos = dict(nearest)
            cos |= store.cosines([i for i in lexical if i not in cos], v)
        fused = rrf(lexical, semantic)
        ranked = sorted(fused, key=lambda i: -fused[i])
        chosen = []
        for i in ranked:
            c = cos.get(i)
            floor = MIN_CLOSENESS if i in docs else SEMANTIC_ONLY_MIN
            if v is not None and (c is None or c < floor):
                continue  # too far in meaning (or not embedded yet while others are)
            chosen.append((i, fused[i], c))
            if len(chosen) == limit:
                break
    out = []
    for i, score, c in chosen:
        doc = docs.get(i) or document(session, i)
        if doc is None:
            continue
        terms, why = reasons(session, base, doc, c)
        out.append(Suggestion(i, doc, score, c, terms, why))
    return out


def similar_generation() -> Any:
    """What `similar` depends on besides the search index, as a column its caller reads
    with its own row: the vectors' stamp when a model is in use, a constant otherwise."""
    emb = embedder()
    return vectors.stamp_column("initiative", emb.name) if emb.available else literal(0)


def document(session: Session, initiative_id: int) -> dict[str, Any] | None:
    initiative = session.get(Initiative, initiative_id)
    return indexing.document_for(session, initiative) if initiative else None


def iter_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
