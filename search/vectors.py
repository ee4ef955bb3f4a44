"""Vectors in the search engines: hybrid search with hard filters, the same in both.

The application computes the vectors (search/embeddings.py, the matching
domain) and hands them to the engine with the documents, under ``_vector``;
an index takes vectors only when its settings say their dimension
(``IndexSettings.vector``).  Meilisearch keeps them with a ``userProvided``
embedder and answers ``hybrid`` searches itself; the embedded engine stores
them with the document and ranks them in memory.

A hybrid search (``Query.vector`` with ``semantic_ratio``):

* hard filters (field, province, stage, TRL ranges …) are applied BEFORE any
  ranking: the lexical and the semantic candidates are both drawn from the
  filtered documents only, so a result never violates a filter;
* ``semantic_ratio`` 0 is the lexical search unchanged, 1 ranks on meaning
  alone (every filtered document with a vector is a candidate, documents
  without one are left out), in between the two rankings are fused (weighted
  reciprocal rank fusion in the embedded engine, Meilisearch's own scoring in
  production);
* a hybrid search cannot also be sorted by a field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

VECTOR_FIELD = "_vector"  # in documents handed to ``upsert`` / ``rebuild``
EMBEDDER = "portal"  # the Meilisearch embedder's name
RRF_K = 60


def split_vector(
    doc: Mapping[str, Any], dimension: int
) -> tuple[dict[str, Any], list[float] | None]:
    """(the document without its vector, the vector or None); ValueError when the
    index takes no vectors or the dimension is wrong."""
    rest = {k: v for k, v in doc.items() if k != VECTOR_FIELD}
    vector = doc.get(VECTOR_FIELD)
    if vector is None:
        return rest, None
    return rest, checked(vector, dimension)


def checked(vector: Sequence[float], dimension: int) -> list[float]:
    if dimension <= 0:
        raise ValueError("this index takes no vectors (IndexSettings.vector is 0)")
    values = [float(v) for v in vector]
    if len(values) != dimension:
        raise ValueError(f"vector of dimension {len(values)}, the index wants {dimension}")
    if not np.all(np.isfinite(values)):
        raise ValueError("vector values must be finite")
    return values


def unit(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def fuse(
    lexical: Sequence[str], semantic: Sequence[str], ratio: float, k: int = RRF_K
) -> list[str]:
    """Weighted reciprocal rank fusion: each ranking adds weight / (k + rank); the
    lexical ranking weighs ``1 - ratio``, the semantic one ``ratio``.  A
    document with no weight at all (lexical only when ``ratio`` is 1) is left
    out.  Ties keep the lexical order, then the semantic one."""
    scores: dict[str, float] = {}
    order: dict[str, int] = {}
    for weight, ranking in ((1.0 - ratio, lexical), (ratio, semantic)):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
            order.setdefault(item, len(order))
    return sorted((i for i in scores if scores[i] > 0), key=lambda i: (-scores[i], order[i]))
