"""What reaches the search index, and keeping the index equal to the database.

Only published (or commercialising) initiatives are indexed, and only the
fields named in `DOCUMENT_SOURCES`: the document is built from that explicit
whitelist, never from a generic view, so a confidential section cannot reach
an index by accident. The whitelist is checked against the visibility rules
(`app.initiatives.visibility.PUBLIC_FIELDS`) at import: if a source ever
becomes non-public there, the application refuses to start.

Every write here is idempotent (upsert the CURRENT document read from the
database, or delete), so outbox redeliveries and repairs are harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from sqlalchemy.orm import lazyload
from sqlmodel import Session, col, select

import search
from app.accounts.models import Organisation
from app.catalogue.models import SynonymGroup
from app.config import Settings, get_settings
from app.i18n import TIMEZONE
from app.initiatives import visibility
from app.initiatives.models import Field, Initiative
from app.initiatives.workflow import PUBLISHED_STATES
from app.publication import service as publication_service
from app.publication.models import Certificate
from app.system.service import readiness_check
from search.documents import SETTINGS_BY_KIND
from search.embeddings import get_embedder
from search.vectors import VECTOR_FIELD

# Initiative attributes a search document is built from; each must be public after publication.
DOCUMENT_SOURCES = frozenset(
    {
        "id",
        "title",
        "summary",
        "keywords",
        "trl",
        "province",
        "ip_status",
        "field_id",
        "subfield_id",
        "organisation_id",
        "published_at",
        "status",
    }
)
if (
    not DOCUMENT_SOURCES <= visibility.PUBLIC_FIELDS
):  # pragma: no cover - a guard against future edits
    raise RuntimeError(
        f"search documents would expose non-public fields: "
        f"{sorted(DOCUMENT_SOURCES - visibility.PUBLIC_FIELDS)}"
    )

# -- the engines ---------------------------------------------------------------

KINDS = ("initiatives", "problems")  # document kinds, each its own index (search/documents.py)

_lock = threading.Lock()
_current: dict[str, tuple[tuple[str, ...], search.Engine]] = {}
_ready: set[str] = set()  # kinds whose ensure_index succeeded for _current[kind]
_synonyms_applied: set[str] = set()  # kinds given the database's synonym list


def index_name(settings: Settings, kind: str = "initiatives") -> str:
    """The initiatives' index is SEARCH_INDEX; every other kind's is SEARCH_INDEX_<kind>."""
    return settings.search_index if kind == "initiatives" else f"{settings.search_index}_{kind}"


def vector_dimension(settings: Settings, kind: str = "initiatives") -> int:
    """The dimension of the vectors a kind's index takes, 0 for none.

    Only the initiatives' index takes vectors, and only when the nearest initiatives by
    meaning are searched in the engine (`Settings.vectors_in_engine`: Meilisearch's
    userProvided embedder) and a model is installed. The matching domain computes them
    (app/matching); `_with_vectors` hands them over with the documents."""
    if kind != "initiatives" or not settings.vectors_in_engine:
        return 0
    emb = get_embedder(settings.embedding_backend or None)
    return emb.dimension if emb.available else 0


def _engine_key(settings: Settings, kind: str) -> tuple[str, ...]:
    return (
        settings.search_backend,
        str(settings.search_dir),
        settings.meilisearch_url,
        settings.meilisearch_api_key,
        settings.search_index,
        str(vector_dimension(settings, kind)),
    )


def engine(
    session: Session | None = None, settings: Settings | None = None, kind: str = "initiatives"
) -> search.Engine:
    """The configured search engine of a document kind, built once per settings, its index ensured.

    Given a session, the first call also pushes the coordinators' synonym list
    (the database is its source of truth; a fresh index starts with the
    engine's defaults). If the engine cannot be reached (`SearchUnavailable`,
    `OSError`) the error propagates and the next call tries again: the outbox
    then retries with backoff, pages answer "search unavailable".
    """
    settings = settings or get_settings()
    key = _engine_key(settings, kind)
    with _lock:
        current = _current.get(kind)
        if current is None or current[0] != key:
            built = search.make_engine(
                settings.search_backend,
                path=settings.search_dir,
                url=settings.meilisearch_url or None,
                api_key=settings.meilisearch_api_key or None,
                index_name=index_name(settings, kind),
                settings=replace(SETTINGS_BY_KIND[kind], vector=int(key[-1])),
            )
            current = _current[kind] = (key, built)
            _ready.discard(kind)
            _synonyms_applied.discard(kind)
        eng = current[1]
        if kind not in _ready:
            eng.ensure_index()
            _ready.add(kind)
        if session is not None and kind not in _synonyms_applied:
            eng.wait(eng.set_synonyms(synonym_groups(session)))
            _synonyms_applied.add(kind)
        return eng


@readiness_check("search")
def search_ready() -> bool:
    return engine().health()


# -- documents ----------------------------------------------------------------


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def document_version(initiative: Initiative) -> int:
    """Grows with every change: the workflow stamps `updated_at` on each
    transition and each edit, so a newer state always has a larger version."""
    return max(
        _micros(initiative.updated_at), _micros(initiative.published_at or initiative.updated_at)
    )


def document_for(session: Session, initiative: Initiative) -> dict[str, Any] | None:
    """The search document of a published initiative, or None if it must not be indexed."""
    if initiative.status not in PUBLISHED_STATES or initiative.id is None:
        return None
    fld = session.get(Field, initiative.field_id) if initiative.field_id else None
    sub = session.get(Field, initiative.subfield_id) if initiative.subfield_id else None
    org = (
        session.get(Organisation, initiative.organisation_id)
        if initiative.organisation_id
        else None
    )
    cert = publication_service.current_certificate(session, initiative)
    return build_document(initiative, fld, sub, org, cert.number if cert else None)


def build_document(
    initiative: Initiative,
    fld: Field | None,
    sub: Field | None,
    org: Organisation | None,
    certificate_number: str | None,
) -> dict[str, Any]:
    """The document from the whitelisted sources (the one place that decides its fields)."""
    published = initiative.published_at or initiative.updated_at
    doc = {
        "id": str(initiative.id),
        "title": initiative.title,
        "summary": initiative.summary,
        "keywords": [k for k in initiative.keywords if isinstance(k, str) and k.strip()],
        "field_code": fld.code if fld else None,
        "field_name": fld.name_vi if fld else None,
        "subfield_code": sub.code if sub else None,
        "subfield_name": sub.name_vi if sub else None,
        "province": initiative.province,
        "organisation": org.name if org else None,
        "organisation_type": str(org.type) if org else None,
        "trl": initiative.trl,
        "ip_status": initiative.ip_status,
        "stage": str(initiative.status),
        "published_at": int(published.timestamp()),
        "publication_year": published.astimezone(TIMEZONE).year,  # the year as Vietnam counts it
        "certificate_number": certificate_number,
        "version": document_version(initiative),
    }
    return {k: v for k, v in doc.items() if v not in (None, "")}


def published_documents_batched(session: Session, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """The documents of every published initiative, loading fields, organisations and
    certificates per batch instead of per initiative (open data, bulk exports)."""
    fields = {f.id: f for f in session.exec(select(Field))}
    for rows in indexable_batches(session, INITIATIVES, batch):
        ids = [i.id for i in rows]
        org_ids = {i.organisation_id for i in rows if i.organisation_id}
        orgs = {
            o.id: o
            for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        }
        certificates: dict[int, str] = {}
        for initiative_id, number in session.exec(
            select(Certificate.initiative_id, Certificate.number)
            .where(col(Certificate.initiative_id).in_(ids), col(Certificate.revoked_at).is_(None))
            .order_by(col(Certificate.id))
        ):
            certificates[initiative_id] = number  # the latest valid one wins
        for i in rows:
            yield build_document(
                i,
                fields.get(i.field_id) if i.field_id else None,
                fields.get(i.subfield_id) if i.subfield_id else None,
                orgs.get(i.organisation_id) if i.organisation_id else None,
                certificates.get(i.id or 0),
            )


# -- document kinds -------------------------------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    """What the index of one kind of document needs to know of the database.

    `name` names the index and its settings (`index_name`, search/documents.py);
    the rows in `states` of `model` are the indexable ones, `document` builds a
    row's document (None: not to be indexed) and `version` its version.
    """

    name: str
    model: type[Any]  # a table with `id` and `status`
    states: frozenset[str]
    document: Callable[[Session, Any], dict[str, Any] | None]
    version: Callable[[Any], int]
    described: str  # how the CLI says "indexable" ("published", "open or awarded")


INITIATIVES = DocumentKind(
    "initiatives",
    Initiative,
    frozenset(str(s) for s in PUBLISHED_STATES),
    document_for,
    document_version,
    "published",
)


def indexable_batches(
    session: Session, kind: DocumentKind, batch: int = 500
) -> Iterator[Sequence[Any]]:
    """The indexable rows of a kind, by id, a batch at a time (bounded memory: each batch
    leaves the session when the next is asked for)."""
    last = 0
    while True:
        rows = session.exec(
            select(kind.model)
            .options(lazyload("*"))  # the rows only, not their co-authors and attachments
            .where(col(kind.model.status).in_(sorted(kind.states)), col(kind.model.id) > last)
            .order_by(col(kind.model.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id
        session.expunge_all()


def indexable(session: Session, kind: DocumentKind) -> Iterator[Any]:
    for rows in indexable_batches(session, kind):
        yield from rows


def documents(session: Session, kind: DocumentKind) -> Iterator[dict[str, Any]]:
    for row in indexable(session, kind):
        doc = kind.document(session, row)
        if doc is not None:
            yield doc


def _current_document(session: Session, kind: DocumentKind, key: int) -> dict[str, Any] | None:
    row = session.get(kind.model, key)
    return kind.document(session, row) if row is not None else None


def _with_vectors(session: Session, kind: str, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documents with their stored vectors (`_vector`) when the kind's index takes
    vectors (`vector_dimension`); a document not embedded yet goes without one."""
    settings = get_settings()
    if not docs or not vector_dimension(settings, kind):
        return docs
    from app.matching import vectors  # the matching domain depends on this one, not the reverse

    emb = get_embedder(settings.embedding_backend or None)
    found = vectors.stored(session, [int(d["id"]) for d in docs], emb)
    return [{**d, VECTOR_FIELD: found[int(d["id"])]} if int(d["id"]) in found else d for d in docs]


def _batched_with_vectors(
    session: Session, kind: str, docs: Iterable[dict[str, Any]], size: int = 1000
) -> Iterator[dict[str, Any]]:
    iterator = iter(docs)
    while batch := list(islice(iterator, size)):
        yield from _with_vectors(session, kind, batch)


# -- keeping the index equal to the database -----------------------------------


def sync(session: Session, key: int, kind: DocumentKind = INITIATIVES) -> str:
    """Make the index agree with the database for one row; returns "upserted" or "deleted".

    Raises the engine's error (SearchUnavailable, OSError …) so the outbox retries.
    """
    doc = _current_document(session, kind, key)
    eng = engine(session, kind=kind.name)
    if doc is None:
        eng.wait(eng.delete([str(key)]))
        return "deleted"
    eng.wait(eng.upsert(_with_vectors(session, kind.name, [doc])))
    return "upserted"


def refresh(session: Session, keys: Sequence[int], kind: DocumentKind = INITIATIVES) -> None:
    """Upsert the current documents of `keys` (an initiative whose vector changed: the
    index takes vectors with the documents); rows no longer indexable are left to `sync`."""
    docs = [doc for key in keys if (doc := _current_document(session, kind, key)) is not None]
    if docs:
        eng = engine(session, kind=kind.name)
        eng.wait(eng.upsert(_with_vectors(session, kind.name, docs)))


def reindex(
    session: Session,
    progress: Callable[[int], None] | None = None,
    kind: DocumentKind = INITIATIVES,
) -> int:
    """Rebuild a kind's whole index from the database and swap it in (searches continue
    meanwhile); the new index takes the synonym list."""
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        # Initiatives' documents per batch (three queries per 1,000, not four per document).
        batched = kind is INITIATIVES
        for doc in published_documents_batched(session) if batched else documents(session, kind):
            count += 1
            yield doc

    eng = engine(kind=kind.name)
    eng.rebuild(_batched_with_vectors(session, kind.name, counted()), progress)
    _push_synonyms(kind.name, synonym_groups(session))
    return count


@dataclass
class Drift:
    """Differences between the database (what should be indexed) and the index."""

    missing: list[str] = field(default_factory=list)  # indexable, not in the index
    stale: list[str] = field(default_factory=list)  # indexed with another version
    extra: list[str] = field(default_factory=list)  # in the index, not indexable

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def database_versions(session: Session, kind: DocumentKind = INITIATIVES) -> dict[str, int]:
    return {str(row.id): kind.version(row) for row in indexable(session, kind)}


def check(session: Session, kind: DocumentKind = INITIATIVES) -> Drift:
    expected = database_versions(session, kind)
    indexed = engine(kind=kind.name).document_versions()
    return Drift(
        missing=sorted((k for k in expected if k not in indexed), key=int),
        stale=sorted((k for k in expected if k in indexed and indexed[k] != expected[k]), key=int),
        extra=sorted((k for k in indexed if k not in expected), key=sort_key),
    )


def sort_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def repair(session: Session, drift: Drift, kind: DocumentKind = INITIATIVES) -> None:
    """Upsert missing and stale documents, delete extra ones, re-apply synonyms."""
    eng = engine(kind=kind.name)
    docs = [
        doc
        for key in [*drift.missing, *drift.stale]
        if (doc := _current_document(session, kind, int(key))) is not None
    ]
    if docs:
        eng.wait(eng.upsert(_with_vectors(session, kind.name, docs)))
    if drift.extra:
        eng.wait(eng.delete(drift.extra))
    _push_synonyms(kind.name, synonym_groups(session))


def synonym_groups(session: Session) -> list[list[str]]:
    return [
        list(g.terms)
        for g in session.exec(select(SynonymGroup).order_by(col(SynonymGroup.id))).all()
    ]


def _push_synonyms(kind: str, groups: list[list[str]]) -> None:
    eng = engine(kind=kind)
    eng.wait(eng.set_synonyms(groups))
    _synonyms_applied.add(kind)


def apply_synonyms(session: Session) -> None:
    """Push the coordinators' synonym groups to every kind's index (replaces the engine's list)."""
    groups = synonym_groups(session)
    for kind in KINDS:
        _push_synonyms(kind, groups)
