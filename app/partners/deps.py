"""Who is calling the partner API: a partner's bearer token, and the scope an endpoint needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security.utils import get_authorization_scheme_param

from app.db import SessionDep
from app.errors import NotAuthenticated, PermissionDenied
from app.i18n import _
from app.partners import calls, service
from app.partners.models import (
    SCOPE_CHANGES,
    SCOPE_FORWARD,
    SCOPE_READ,
    SCOPE_STATISTICS,
    PartnerClient,
    PartnerToken,
)


def partner_token(request: Request, session: SessionDep) -> tuple[PartnerClient, PartnerToken]:
    """The partner of the request's bearer token (401 when missing, expired or revoked)."""
    scheme, value = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not value.strip():
        raise NotAuthenticated(_("Send a partner access token: Authorization: Bearer <token>."))
    found = service.token_partner(session, value.strip())
    if found is None:
        raise NotAuthenticated(
            _("The partner access token is invalid, expired or revoked."), code="invalid-token"
        )
    calls.note_partner(request, found[0])
    return found


def require_scope(scope: str) -> Callable[..., PartnerClient]:
    """A dependency letting through only a partner token that carries `scope` (403 otherwise)."""

    def check(
        found: Annotated[tuple[PartnerClient, PartnerToken], Depends(partner_token)],
    ) -> PartnerClient:
        partner, token = found
        if scope not in token.scopes or scope not in partner.scopes:
            raise PermissionDenied(
                _("This token does not carry the scope %(scope)s.", scope=scope),
                code="insufficient-scope",
                scope=scope,
            )
        return partner

    return check


Forwarder = Annotated[PartnerClient, Depends(require_scope(SCOPE_FORWARD))]
Reader = Annotated[PartnerClient, Depends(require_scope(SCOPE_READ))]
StatisticsReader = Annotated[PartnerClient, Depends(require_scope(SCOPE_STATISTICS))]
ChangesReader = Annotated[PartnerClient, Depends(require_scope(SCOPE_CHANGES))]
