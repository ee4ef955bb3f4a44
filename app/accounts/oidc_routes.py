"""Sign-in through OpenID Connect: off to the provider, and back with the ID token."""

from __future__ import annotations

import logging
from typing import Annotated

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from app.accounts import deps, oidc
from app.config import get_settings
from app.db import SessionDep, refuse
from app.errors import DomainError
from app.i18n import _
from app.web.flash import flash

log = logging.getLogger(__name__)
router = APIRouter(prefix="/account/oidc")


def _refused(request: Request, message: str) -> RedirectResponse:
    flash(request, message, "error")
    return RedirectResponse("/account/login", status_code=303)


@router.get("/login")
async def oidc_login(request: Request, next: str = "/", acr: str = ""):
    """Send the browser to the provider; Authlib keeps state and nonce in the session.

    With `acr` (a step-up), the provider is asked for that assurance level and the
    callback refuses a sign-in that comes back lower."""
    settings = get_settings()
    provider = oidc.client()
    request.session["oidc_next"] = deps.safe_next(next)
    extra = {}
    if acr in settings.oidc_acr_levels:
        request.session["oidc_acr"] = acr
        extra["acr_values"] = acr
    else:
        request.session.pop("oidc_acr", None)
    try:
        return await provider.authorize_redirect(
            request, f"{settings.base_url.rstrip('/')}/account/oidc/callback", **extra
        )
    except (OAuthError, httpx.HTTPError) as exc:
        log.warning("OIDC provider unreachable: %s", exc)
        return _refused(
            request,
            _(
                "%(provider)s is not reachable at the moment. Please try again later.",
                provider=settings.oidc_name,
            ),
        )


async def provider_token(request: Request) -> dict | None:
    """The provider's answer to this callback, or None if sign-in did not succeed.

    A dependency: the exchange with the provider is network I/O on the event
    loop, so the handler itself stays a plain function for its database work.
    """
    try:
        return dict(await oidc.client().authorize_access_token(request))
    except (OAuthError, httpx.HTTPError) as exc:
        log.info("OIDC sign-in refused: %s", exc)
        return None


@router.get("/callback")
def oidc_callback(
    request: Request,
    session: SessionDep,
    token: Annotated[dict | None, Depends(provider_token)],
):
    """Back from the provider: check the ID token, then find, link or create the account."""
    settings = get_settings()
    if token is None:
        return _refused(
            request,
            _(
                "Sign-in with %(provider)s did not succeed. Please try again.",
                provider=settings.oidc_name,
            ),
        )
    claims = dict(token.get("userinfo") or {})
    next = request.session.pop("oidc_next", "/")
    wanted = request.session.pop("oidc_acr", "")
    if wanted and oidc.level_rank(str(claims.get("acr") or "")) < oidc.level_rank(wanted):
        return _refused(
            request,
            _(
                "%(provider)s signed you in at a lower assurance level than this step needs "
                "(%(level)s).",
                provider=settings.oidc_name,
                level=wanted,
            ),
        )
    try:
        user = oidc.sign_in(
            session, issuer=str(claims.get("iss") or settings.oidc_issuer), claims=claims
        )
    except DomainError as exc:  # not a form: the refusal is shown on the sign-in page
        refuse(session)
        return _refused(request, exc.message)
    deps.sign_in(request, user)
    flash(request, _("Welcome, %(name)s.", name=user.full_name), "success")
    return RedirectResponse(deps.safe_next(next), status_code=303)
