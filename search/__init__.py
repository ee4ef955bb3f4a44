"""Search engine layer: one interface, an embedded and a server backend.

The application builds an engine with :func:`make_engine` and talks to it
through :class:`search.interface.Engine`.  This package never imports ``app``.
"""

from __future__ import annotations

import os

from search.documents import INITIATIVE_SETTINGS
from search.interface import (
    Engine,
    Hit,
    IndexSettings,
    Query,
    Result,
    SearchUnavailable,
    TypoSettings,
    WriteTicket,
)

__all__ = [
    "Engine",
    "Hit",
    "IndexSettings",
    "Query",
    "Result",
    "SearchUnavailable",
    "TypoSettings",
    "WriteTicket",
    "make_engine",
]


def make_engine(
    backend: str = "tantivy",
    *,
    path: str | os.PathLike[str] | None = None,
    url: str | None = None,
    api_key: str | None = None,
    index_name: str = "initiatives",
    settings: IndexSettings = INITIATIVE_SETTINGS,
) -> Engine:
    """Build the configured backend.

    ``tantivy`` needs ``path`` (a directory; the index lives in
    ``path/index_name``); ``meilisearch`` needs ``url`` and usually ``api_key``.
    Call ``ensure_index()`` once at start-up before searching.
    """
    if backend == "tantivy":
        from search.tantivy_engine import TantivyEngine

        if path is None:
            raise ValueError("the tantivy backend needs a path")
        return TantivyEngine(os.path.join(path, index_name), settings)
    if backend == "meilisearch":
        from search.meilisearch_engine import MeilisearchEngine

        if url is None:
            raise ValueError("the meilisearch backend needs a url")
        return MeilisearchEngine(url, api_key, index_name, settings)
    raise ValueError(f"unknown search backend {backend!r}")
