"""Work a worker's first requests would otherwise do, done before it accepts any (production).

Measured (bench/public_pages.py, py-spy): a fresh worker's first API request
took about 380 ms building FastAPI's routing tables for every API route (the
included routers build them lazily, on the first request that reaches them),
and a page's first rendering compiled its templates and loaded Babel's
locale data for its dates (about 60 ms for an initiative's page; the first
submission's receipt mail paid the locale data too). Under a crowd every connection waited behind that: the
page cache's first render of the search API or an initiative's page held 16
connections for a third of a second, which was the whole p99 of the cached runs.
`portal serve` workers now do both in their start-up (about 1.5 s) instead.

Then the collector: a worker's full collections walked every object the app
had built, about 390,000, and stopped the worker for 200–290 ms each, every
few seconds under load (measured with `gc.callbacks`). That was the p99 of the
uncached pages (155–290 ms). What exists after the warm-up lives as long as the
worker, so it is frozen (`gc.freeze`): a full collection now walks the 10,000–
50,000 objects made since, in 3–60 ms.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Any

from babel import Locale
from fastapi import FastAPI

from app import i18n
from app.web.templating import env


def warm(app: FastAPI) -> dict[str, int]:
    """Build every router's routing table, compile every page template and load the
    languages' date and number data (Babel reads it from disk on first use); returns counts."""
    return {
        "routers": _routers(app.router.routes),
        "templates": _templates(),
        "languages": _languages(),
    }


def freeze() -> int:
    """Move every object alive now (after `warm`: the app, its routes and models, the
    compiled templates, about 390,000 objects) into the collector's permanent
    generation, which its full collections never walk; returns how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def unfreeze() -> None:
    """Hand the start-up objects back to the collector (the app is shutting down)."""
    gc.unfreeze()


def _routers(routes: Iterable[Any]) -> int:
    """Included routers build their candidates (and their children's) on first use; ask
    each once. FastAPI versions without that laziness have nothing to build."""
    built = 0
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):
            built += 1 + _routers(candidates())
            low = getattr(route, "effective_low_priority_routes", None)
            if callable(low):
                low()
    return built


def _languages() -> int:
    for language in i18n.LANGUAGES:
        locale = Locale.parse(language)
        locale.datetime_formats, locale.date_formats, locale.number_symbols  # noqa: B018
    return len(i18n.LANGUAGES)


def _templates() -> int:
    names = env.list_templates(filter_func=lambda name: name.endswith((".html", ".txt", ".xml")))
    for name in names:
        env.get_template(name)
    return len(names)
