"""A production worker builds its routing tables and compiles its templates before its first request."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from app.main import create_app
from app.web import warmup
from app.web.templating import env


def _unbuilt(routes) -> int:
    """Included routers whose routing table has not been built yet."""
    count = 0
    for route in routes:
        if hasattr(route, "effective_candidates"):
            if route._effective_candidates_version is None:
                count += 1
            else:
                count += _unbuilt(route._effective_candidates)
    return count


def test_warm_builds_every_router_and_compiles_every_template(settings):
    app = create_app(settings)
    assert gc.get_freeze_count() == 0  # warming alone freezes nothing
    assert _unbuilt(app.router.routes) > 0  # lazily built by the first request otherwise
    env.cache.clear()
    counts = warmup.warm(app)
    assert _unbuilt(app.router.routes) == 0
    assert counts["routers"] >= 2 and counts["templates"] >= 100 and counts["languages"] == 2
    assert len(env.cache) == counts["templates"]
    assert gc.get_freeze_count() == 0


def test_freeze_sets_what_was_built_aside_from_the_collector(settings):
    app = create_app(settings)
    warmup.warm(app)
    try:
        frozen = warmup.freeze()
        # what was frozen, less any of it freed since (a frozen object can still be freed)
        assert frozen >= gc.get_freeze_count() > 100_000
        # The permanent generation is not among the ones the collector walks.
        assert not any(o is app for o in gc.get_objects())
    finally:
        warmup.unfreeze()
    assert gc.get_freeze_count() == 0
    assert any(o is app for o in gc.get_objects())


def test_a_production_app_freezes_at_start_up_and_unfreezes_at_shutdown(settings):
    production = settings.model_copy(update={"environment": "production", "secret_key": "x" * 40})
    with TestClient(create_app(production)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
