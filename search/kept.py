"""Answers kept per process until the index changes (the embedded engine's caches).

An answer of the embedded engine depends only on the index's generation (its
files' stamps, search/tantivy_engine.py ``generation``) and on the request, so
it can be kept and handed out again until the generation changes: "similar
initiatives" (asked by every initiative page) and searches (a popular search or
the catalogue's first page, asked again and again by signed-in people, whom the
page cache never serves). The least recently used answers go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import replace
from typing import Any, Generic, TypeVar

from search.interface import Hit, Query, Result

T = TypeVar("T")


class Kept(Generic[T]):
    def __init__(self, size: int, copy: Callable[[T], T]):
        self.size = size
        self.copy = copy  # callers may change what they get: each gets its own copy
        self._answers: OrderedDict[Hashable, tuple[str, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: str, compute: Callable[[], T]) -> T:
        """The answer kept for `key` in this `generation`, else `compute()`'s (then kept)."""
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None and kept[0] == generation:
                self._answers.move_to_end(key)
                return self.copy(kept[1])
        answer = compute()
        with self._lock:
            self._answers[key] = (generation, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return self.copy(answer)


# -- keys and copies of the engines' answers ----------------------------------


def mapping_key(values: Mapping[str, Any]) -> tuple:
    def value(v: Any) -> Any:
        if isinstance(v, set | frozenset):
            return tuple(sorted(v, key=repr))
        return tuple(v) if isinstance(v, list | tuple) else v

    return tuple(sorted((k, value(v)) for k, v in values.items()))


def query_key(query: Query) -> tuple:
    """A hashable key of everything a (non-hybrid) search's answer depends on."""
    return (
        query.text,
        mapping_key(query.filters),
        mapping_key(query.ranges),
        tuple(query.facets),
        tuple(query.sort) if query.sort is not None else None,
        query.offset,
        query.limit,
        query.highlight,
        query.relax,
    )


def copy_hits(hits: list[Hit]) -> list[Hit]:
    return [Hit(h.id, h.score, dict(h.document), dict(h.highlights)) for h in hits]


def copy_result(result: Result) -> Result:
    return replace(
        result,
        hits=copy_hits(result.hits),
        facets={name: dict(counts) for name, counts in result.facets.items()},
    )
