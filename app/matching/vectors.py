"""Where the nearest initiatives by meaning are looked up: one interface, two stores.

The vectors themselves are always rows of `initiative_vector` / `problem_vector`
(computed by the outbox worker and `portal embed --missing`, never on a request).
What differs is where the nearest ones are found (`Settings.vectors_in_engine`):

- `Matrix` (the embedded default): an in-memory float32 matrix per worker, read from
  the table and reloaded when it changes (count and newest update);
- `EngineVectors` (Meilisearch): the vectors travel with the search documents
  (`catalogue.indexing._with_vectors`, a `userProvided` embedder) and the engine answers
  a hybrid search with `semanticRatio` 1 (meaning only); the closeness of each answer is
  then computed from the stored vectors, so floors and explanations are the same numbers
  as with the matrix. No worker holds the 100,000 × 384 matrix.

Both answer the same five questions (`Vectors`); every use in `recommend.py` and
`service.similar` asks them only. Problems are few (posted by hand) and always use a matrix.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

import search
from app.catalogue import indexing
from app.config import get_settings
from app.initiatives.models import Initiative
from app.initiatives.workflow import PUBLISHED_STATES
from app.matching.models import InitiativeVector, ProblemVector, VectorStamp
from app.problems.models import Problem
from app.problems.workflow import PUBLIC_STATES as PROBLEM_PUBLIC_STATES
from search.embeddings import Embedder, from_blob

Nearest = list[tuple[int, float]]  # (id, cosine), closest first


class Vectors(Protocol):
    def vector(self, item_id: int) -> np.ndarray | None:
        """The stored unit vector of one published item, None if it has none."""
        ...

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        """The stored vectors of those of `ids` that have one."""
        ...

    def cosines(self, ids: Iterable[int], v: np.ndarray) -> dict[int, float]:
        """Cosine of `v` with each of `ids` that has a vector."""
        ...

    def nearest(self, v: np.ndarray, k: int) -> Nearest:
        """The `k` published items closest to `v`."""
        ...

    def nearest_each(self, vs: Sequence[np.ndarray], k: int) -> list[Nearest]:
        """`nearest` for each of several vectors."""
        ...


# -- the in-memory matrix ------------------------------------------------------------


NEAREST_KEPT = 2048  # answers of `Matrix.nearest_each` kept per matrix (~3 KiB each)


@dataclass
class Matrix:
    token: tuple[Any, ...]
    ids: np.ndarray
    matrix: np.ndarray  # (n, d) float32, unit rows
    row_of: dict[int, int]
    # (vector's bytes, k) → its nearest: valid as long as this matrix (a new one replaces it
    # when the table changes). A person's interests (contacted, viewed, searched) are asked
    # again on every visit of their home page, so only a new interest costs a product.
    kept: OrderedDict[tuple[bytes, int], Nearest] = field(default_factory=OrderedDict)
    kept_lock: threading.Lock = field(default_factory=threading.Lock)

    def vector(self, item_id: int) -> np.ndarray | None:
        row = self.row_of.get(item_id)
        return None if row is None else self.matrix[row]

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        return {i: self.matrix[r] for i in ids if (r := self.row_of.get(i)) is not None}

    def cosines(self, ids: Iterable[int], v: np.ndarray) -> dict[int, float]:
        return {i: float(x @ v) for i, x in self.vectors(ids).items()}

    def nearest(self, v: np.ndarray, k: int) -> Nearest:
        return self.nearest_each([v], k)[0] if v is not None and len(v) else []

    def nearest_each(self, vs: Sequence[np.ndarray], k: int) -> list[Nearest]:
        keys = [(np.asarray(v, dtype=np.float32).tobytes(), k) for v in vs]
        with self.kept_lock:
            found = {key: self.kept[key] for key in keys if key in self.kept}
        todo = [n for n, key in enumerate(keys) if key not in found]
        if todo and len(self.ids):
            sims = np.vstack([vs[n] for n in todo]) @ self.matrix.T  # one product: (todo, n)
            top = min(k, sims.shape[1])
            for n, row in zip(todo, sims, strict=True):
                part = np.argpartition(row, -top)[-top:]  # the largest, without a negated copy
                order = part[np.argsort(-row[part], kind="stable")]
                found[keys[n]] = [(int(self.ids[j]), float(row[j])) for j in order]
        with self.kept_lock:
            for n in todo:
                self.kept[keys[n]] = found.get(keys[n], [])
            while len(self.kept) > NEAREST_KEPT:
                self.kept.popitem(last=False)
        return [found.get(key, []) for key in keys]


_matrices: dict[tuple[str, str, str], Matrix] = {}
_lock = threading.Lock()


def bump(session: Session, kind: str, model: str) -> None:
    """Note, in the writing transaction, that a `kind` vector of `model` was written or
    deleted: every worker's matrix of that kind reloads at its next use."""
    table = VectorStamp.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(table)
        .values(kind=kind, model=model, version=1)
        .on_conflict_do_update(
            index_elements=["kind", "model"], set_={"version": table.c.version + 1}
        )
    )


def stamp(session: Session, kind: str, model: str) -> tuple[Any, ...]:
    """The `kind` vectors' stamp for `model`: it changes whenever one is written or deleted."""
    return (session.exec(select(stamp_column(kind, model))).one() or 0,)


@functools.cache  # an expression: built once per kind and model, reused by every statement
def stamp_column(kind: str, model: str) -> Any:
    """`stamp`'s version as a scalar subquery (NULL before the first vector), for a caller
    that reads it in the same statement as its own row."""
    return (
        select(VectorStamp.version)
        .where(VectorStamp.kind == kind, VectorStamp.model == model)
        .scalar_subquery()
    )


def _load(session: Session, emb: Embedder, kind: str, token: tuple[Any, ...], query) -> Matrix:
    """Stream the stored blobs into one preallocated float32 matrix (peak ≈ the matrix, not
    the blobs plus the matrix); `token` (the kind's stamp) says when to reload."""
    key = (str(session.get_bind().engine.url), emb.name, kind)
    with _lock:
        current = _matrices.get(key)
        if current is not None and current.token == token:
            return current
    bound = session.exec(select(func.count()).select_from(query.subquery())).one()
    dimension = max(emb.dimension, 1)
    ids = np.zeros(bound, dtype=np.int64)
    vectors = np.zeros((bound, dimension), dtype=np.float32)
    n = 0
    for item_id, blob in session.exec(query.execution_options(yield_per=1000)):
        if n == bound:  # rows added since the count: grow
            bound = max(2 * bound, 16)
            ids = np.resize(ids, bound)
            vectors = np.resize(vectors, (bound, dimension))
        ids[n] = item_id
        vectors[n] = from_blob(blob)
        n += 1
    built = Matrix(token, ids[:n], vectors[:n], {int(i): k for k, i in enumerate(ids[:n])})
    with _lock:
        _matrices[key] = built
    return built


def matrix(session: Session, emb: Embedder) -> Matrix:
    """Vectors of published initiatives; reloaded only when one was written or deleted."""
    token = stamp(session, "initiative", emb.name)
    query = (
        select(InitiativeVector.initiative_id, InitiativeVector.vector)
        .join(Initiative, col(Initiative.id) == col(InitiativeVector.initiative_id))
        .where(InitiativeVector.model == emb.name, col(Initiative.status).in_(PUBLISHED_STATES))
        .order_by(col(InitiativeVector.initiative_id))
    )
    return _load(session, emb, "initiative", token, query)


def problem_matrix(session: Session, emb: Embedder) -> Matrix:
    """Vectors of public problems (statuses are filtered again by the callers)."""
    token = stamp(session, "problem", emb.name)
    query = (
        select(ProblemVector.problem_id, ProblemVector.vector)
        .join(Problem, col(Problem.id) == col(ProblemVector.problem_id))
        .where(
            ProblemVector.model == emb.name,
            col(Problem.status).in_([str(s) for s in PROBLEM_PUBLIC_STATES]),
        )
        .order_by(col(ProblemVector.problem_id))
    )
    return _load(session, emb, "problem", token, query)


# -- the search engine's vector store ---------------------------------------------------


def stored(session: Session, ids: Sequence[int], emb: Embedder) -> dict[int, np.ndarray]:
    """The stored vectors of those of `ids` that are published and embedded with `emb`."""
    if not ids:
        return {}
    rows = session.exec(
        select(InitiativeVector.initiative_id, InitiativeVector.vector)
        .join(Initiative, col(Initiative.id) == col(InitiativeVector.initiative_id))
        .where(
            InitiativeVector.model == emb.name,
            col(InitiativeVector.initiative_id).in_(sorted(set(ids))),
            col(Initiative.status).in_(PUBLISHED_STATES),
        )
    ).all()
    return {int(i): from_blob(blob) for i, blob in rows}


@dataclass
class EngineVectors:
    """The nearest initiatives found by the search engine (`search.Query.vector`), the
    cosines computed from the stored vectors of the few it returns."""

    session: Session
    emb: Embedder

    def vector(self, item_id: int) -> np.ndarray | None:
        return self.vectors([item_id]).get(item_id)

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        return stored(self.session, list(ids), self.emb)

    def cosines(self, ids: Iterable[int], v: np.ndarray) -> dict[int, float]:
        return {i: float(x @ v) for i, x in self.vectors(ids).items()}

    def nearest(self, v: np.ndarray, k: int) -> Nearest:
        if v is None or not len(v) or k <= 0:
            return []
        query = search.Query(vector=[float(x) for x in v], semantic_ratio=1.0, limit=k)
        try:
            hits = indexing.engine(self.session).search(query).hits
        except (search.SearchUnavailable, OSError):
            return []  # as a search: the page says so elsewhere; no suggestion is better than a 500
        order = [int(h.id) for h in hits]
        cos = self.cosines(order, v)
        rank = {i: n for n, i in enumerate(order)}
        return sorted(((i, c) for i, c in cos.items()), key=lambda p: (-p[1], rank[p[0]]))

    def nearest_each(self, vs: Sequence[np.ndarray], k: int) -> list[Nearest]:
        return [self.nearest(v, k) for v in vs]


def initiative_vectors(session: Session, emb: Embedder) -> Vectors:
    """The published initiatives' vectors, searched where the settings say."""
    if get_settings().vectors_in_engine and indexing.vector_dimension(get_settings()):
        return EngineVectors(session, emb)
    return matrix(session, emb)
