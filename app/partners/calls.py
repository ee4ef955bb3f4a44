"""The partner call log: every call to a partner endpoint is recorded, whatever its outcome.

`LoggedRoute` is the route class of the partner routers: it times the call and,
once the request's unit of work has ended (committed or rolled back), records
partner, method, path template, object, status and outcome in a transaction of
its own, so a refused call is on record too. Only what identifies the call is
kept: never a header, a token, a secret, a query string or a body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from app.db import unit_of_work
from app.errors import DomainError
from app.partners.models import PartnerCall, PartnerClient


def note_object(request: Request, kind: str, object_id: int | str) -> None:
    """Name the object a call was about (shown in the log)."""
    request.state.partner_object = f"{kind}:{object_id}"


def note_outcome(request: Request, outcome: str) -> None:
    request.state.partner_outcome = outcome


def _record(request: Request, endpoint: str, status: int, outcome: str, started: float) -> None:
    partner = getattr(request.state, "partner", None)
    with unit_of_work(request.app.state.engine) as session:
        session.add(
            PartnerCall(
                partner_id=partner.id if isinstance(partner, PartnerClient) else None,
                method=request.method,
                endpoint=endpoint[:200],
                object_ref=str(getattr(request.state, "partner_object", ""))[:100],
                status_code=status,
                outcome=(getattr(request.state, "partner_outcome", None) or outcome)[:60],
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )


class LoggedRoute(APIRoute):
    """A route whose every call is written to the partner call log."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        endpoint = self.path_format

        async def logged(request: Request) -> Response:
            started = time.monotonic()
            try:
                response = await handle(request)
            except DomainError as exc:
                await run_in_threadpool(_record, request, endpoint, exc.status, exc.code, started)
                raise
            except RequestValidationError:
                await run_in_threadpool(
                    _record, request, endpoint, 422, "validation-failed", started
                )
                raise
            except Exception:
                await run_in_threadpool(_record, request, endpoint, 500, "server-error", started)
                raise
            status = response.status_code
            await run_in_threadpool(
                _record,
                request,
                endpoint,
                status,
                "ok" if status < 400 else f"http-{status}",
                started,
            )
            return response

        return logged


# -- reading the log ----------------------------------------------------------------
def recent(
    session: Session,
    *,
    partner_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[tuple[PartnerCall, PartnerClient | None]]:
    query = select(PartnerCall).order_by(col(PartnerCall.id).desc()).limit(limit)
    if partner_id is not None:
        query = query.where(PartnerCall.partner_id == partner_id)
    if since is not None:
        query = query.where(col(PartnerCall.at) >= since)
    calls = list(session.exec(query))
    ids = {c.partner_id for c in calls if c.partner_id is not None}
    partners = (
        {p.id: p for p in session.exec(select(PartnerClient).where(col(PartnerClient.id).in_(ids)))}
        if ids
        else {}
    )
    return [(c, partners.get(c.partner_id) if c.partner_id else None) for c in calls]
