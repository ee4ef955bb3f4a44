"""The partner API: the client-credentials token, forwarding, status, the changes and
monitoring feeds. Every call is logged (`calls.LoggedRoute`); each endpoint but the token
one needs a partner token carrying its scope (`@for_partners` + `deps.require_scope`)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Annotated, Any

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.db import SessionDep
from app.initiatives.models import Initiative
from app.partners import calls, feed, forwarding, monitoring, oauth, service
from app.partners.deps import ChangesReader, Forwarder, Reader, StatisticsReader
from app.partners.schemas import (
    EXAMPLE_FORWARD,
    ChangesPage,
    ForwardedStatus,
    ForwardOut,
    TokenOut,
)
from app.storage import StreamedUpload
from app.web import forms
from app.web.api import PROBLEMS, for_partners, problems, public

router = APIRouter(tags=["partners"], route_class=calls.LoggedRoute)

NEEDS_SCOPE = problems(
    e401="Missing, invalid, expired or revoked partner token",
    e403="The token does not carry this endpoint's scope (`insufficient-scope`)",
)


@router.post(
    "/partners/token",
    response_model=TokenOut,
    summary="Partner token (OAuth2 client credentials)",
    responses=problems(
        e400="Unsupported grant or scope not allowed (`error` says which)",
        e401="Unknown client, wrong or rotated-out secret, or revoked client",
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string", "description": "Space-separated"},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            }
        }
    },
)
@public
def token(request: Request, session: SessionDep, form: forms.Form):
    """A partner system exchanges its client id and secret (HTTP Basic, or `client_id` and
    `client_secret` fields) for a bearer token valid 15 minutes, limited to the scopes
    asked for (all the partner's scopes when `scope` is left out). Public: the
    credentials are the authentication."""
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    response, issued = oauth.token_response(session, request, data)
    if issued is None:
        # A failed attempt is logged against the client it named, if that one exists.
        client_id = data.get("client_id") or _basic_client_id(request)
        issued = service.by_client_id(session, client_id) if client_id else None
        calls.note_outcome(request, f"oauth-{_error_of(response)}")
    calls.note_partner(request, issued)
    return response


def _basic_client_id(request: Request) -> str | None:
    client_id, _secret = extract_basic_authorization(request.headers)
    return client_id


def _error_of(response: JSONResponse) -> str:
    try:
        return str(json.loads(bytes(response.body)).get("error", "error"))
    except ValueError:
        return "error"


def _forward_out(found: forwarding.Forwarded) -> ForwardOut:
    initiative = found.initiative
    assert initiative.receipt_code is not None and initiative.submitted_at is not None
    return ForwardOut(
        initiative_id=initiative.id,
        receipt_code=initiative.receipt_code,
        status=initiative.status,
        external_id=found.record.external_id,
        source_received_at=found.record.source_received_at.astimezone(UTC),
        received_at=initiative.submitted_at,
        created=found.created,
    )


@router.post(
    "/partners/initiatives",
    response_model=ForwardOut,
    status_code=201,
    summary="Forward an initiative (scope initiatives:forward)",
    responses={
        200: {"description": "Forwarded before: the same initiative", "model": ForwardOut},
        **PROBLEMS,
        **NEEDS_SCOPE,
        413: {"description": "File too large"},
        415: {"description": "Type refused, or not multipart/form-data"},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["initiative"],
                        "properties": {
                            "initiative": {
                                "type": "string",
                                "description": "JSON following the ForwardIn schema",
                                "example": EXAMPLE_FORWARD,
                            },
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                        },
                    }
                }
            }
        }
    },
)
@for_partners
def forward(
    request: Request,
    session: SessionDep,
    partner: Forwarder,
    received: StreamedUpload,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
):
    """multipart/form-data with the `initiative` field (JSON, schema `ForwardIn`) and up to
    10 `file` parts (confidential attachments). Creates or links the submitter's account
    (a new one is mailed an invitation), submits the initiative (receipt code, history
    with the provenance) and answers 201. The same `external_id` again, or the same
    `Idempotency-Key`, answers 200 with the first initiative and creates nothing.
    A bad payload is a 422 problem with `errors` per field (`initiative.title`, ...)."""
    try:
        data = forwarding.parse(received.fields.get("initiative"))
    except Exception:
        forwarding.discard(received.files)
        raise
    found = forwarding.forward(
        session, partner, data, received.files, idempotency_key=idempotency_key
    )
    calls.note_object(request, "initiative", found.initiative.id)
    return JSONResponse(
        _forward_out(found).model_dump(mode="json"), status_code=201 if found.created else 200
    )


@router.get(
    "/partners/initiatives/{external_id}",
    response_model=ForwardedStatus,
    summary="Status of a forwarded initiative (scope initiatives:read)",
    responses={**NEEDS_SCOPE, **problems(e404="This partner forwarded nothing with this id")},
)
@for_partners
def status(request: Request, session: SessionDep, partner: Reader, external_id: str):
    """The stage of an initiative this partner forwarded, by the partner's own id."""
    record = forwarding.of_partner(session, partner, external_id)
    initiative = session.get_one(Initiative, record.initiative_id)
    calls.note_object(request, "initiative", initiative.id)
    return ForwardedStatus(
        initiative_id=initiative.id,
        external_id=record.external_id,
        receipt_code=initiative.receipt_code,
        status=initiative.status,
        stage_entered_at=initiative.stage_entered_at,
    )


@router.get(
    "/changes",
    response_model=ChangesPage,
    summary="Changes feed of public data (scope changes:read)",
    responses={**NEEDS_SCOPE, **problems(e422="`after` is not a cursor this feed gave")},
)
@for_partners
def changes(
    session: SessionDep,
    partner: ChangesReader,
    after: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 100,
):
    """What changed among public objects (initiatives published, unpublished or edited;
    certificates issued; problems entering, moving in or leaving their public stages; weekly
    statistics snapshots once archived), in commit order. Resume from any `cursor` with `?after=`; nothing is skipped or repeated.
    `data` is the object's public fields as anyone sees them now (null when no longer public)."""
    return feed.page(session, after, limit)


@router.get(
    "/partners/monitoring/weekly",
    summary="Weekly indicators, versioned JSON (scope statistics:read)",
    responses={**NEEDS_SCOPE, **problems(e422="`week` is not a Monday or ISO week")},
)
@for_partners
def weekly(
    session: SessionDep,
    partner: StatisticsReader,
    week: Annotated[str | None, Query(max_length=10, description="2026-W08 or 2026-02-16")] = None,
) -> dict[str, Any]:
    """The weekly report's aggregate indicators (schema `portal.weekly-indicators`, version 1)
    for `week` (default: the last full week, Vietnam time). `final` is true once the
    Monday report is archived."""
    return monitoring.indicators(session, monitoring.week_of(week))
