"""The reports' JSON API: public statistics; weekly reports for coordinators and admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from app.db import SessionDep
from app.reports import service, weekly_routes
from app.web.api import public

router = APIRouter(tags=["reports"])
router.include_router(weekly_routes.api)


@router.get(
    "/statistics",
    summary="Public statistics (as of at most a minute ago)",
    response_model=dict[str, Any],
)
@public
def statistics(session: SessionDep) -> Response:
    """Totals, this week, breakdowns by field, province, organisation type and month,
    stage durations (median and 90th percentile, calendar days), targets in working days with
    their responsible units, on-time shares and overdue counts. Computed from the history."""
    # Served from the precomputed snapshot, serialised once per snapshot.
    return Response(service.public_snapshot(session).body(), media_type="application/json")
