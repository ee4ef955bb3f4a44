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


def note_partner(request: Request, partner: PartnerClient | None) -> None:
    """Who is calling (read while the row is loaded: the log is written after the session ends)."""
    request.state.partner_id = partner.id if partner is not None else None


def note_outcome(request: Request, outcome: str) -> None:
    request.state.partner_outcome = outcome


def _record(request: Request, endpoint: str, status: int, outcome: str, started: float) -> None:
    partner_id = getattr(request.state, "partner_id", None)
    with unit_of_work(request.app.state.engine) as session:
        session.add(
            PartnerCall(
                partner_id=partner_id if isinstance(partner_id, int) else None,
                method=request.method,
                endpoint=endpoint[:200],
                object_ref=str(getattr(request.state, "partner_object", ""))[:100],
                status_code=status,
                outcome=(getattr(request.state, "partner_outcome", None) or outcome)[:60],
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )


def _template(request: Request, local: str) -> str:
    """The called path as its template (`/api/v1/partners/initiatives/{external_id}`): the
    router's own template behind the prefix the app mounted it under."""
    path = request.scope.get("path", "")
    try:
        concrete = local.format(**request.path_params)
    except (KeyError, IndexError, ValueError):
        return local
    return (path[: -len(concrete)] if concrete and path.endswith(concrete) else "") + local


class LoggedRoute(APIRoute):
    """A route whose every call is written to the partner call log.

    The record is written once the request's unit of work has ended: the write is
    registered on FastAPI's per-request exit stack, which closes after the handler's
    dependencies (the unit of work among them) and after the answer is sent.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        route = self

        async def logged(request: Request) -> Response:
            started = time.monotonic()
            result: dict[str, Any] = {"status": 500, "outcome": "server-error"}
            route_path = _template(request, route.path_format)

            async def write() -> None:
                await run_in_threadpool(
                    _record,
                    request,
                    route_path,
                    int(result["status"]),
                    str(result["outcome"]),
                    started,
                )

            stack = request.scope.get("fastapi_inner_astack")
            if stack is not None:
                stack.push_async_callback(write)
            try:
                response = await handle(request)
            except DomainError as exc:
                result.update(status=exc.status, outcome=exc.code)
                raise
            except RequestValidationError:
                result.update(status=422, outcome="validation-failed")
                raise
            else:
                status = response.status_code
                result.update(status=status, outcome="ok" if status < 400 else f"http-{status}")
            finally:
                if stack is None:  # no per-request stack: record now
                    await write()
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
