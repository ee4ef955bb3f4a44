"""Typed dependencies: who is asking, and loaders that refuse in one place.

Web pages identify the user by the signed session cookie; the API by a bearer
token (OAuth2 access token or personal access token) or, for scripts on our
own pages, the cookie plus the CSRF header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import object_session
from sqlmodel import Session

from app.accounts import credentials, permissions, service
from app.accounts.models import Role, User
from app.db import SessionDep
from app.errors import NotAuthenticated, PermissionDenied
from app.i18n import _
from app.web import api, forms
from app.web.redirects import safe_next

__all__ = ["safe_next"]  # the shared check, re-exported where the account pages used it

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def _session_user(request: Request, session: SessionDep) -> User | None:
    """The user of the cookie's server-side session, if that session is still open.

    The signed cookie alone is not enough: signing out, a password change and an
    administrator's "sign out everywhere" end the server-side session, so a copy
    of the cookie stops working at once.
    """
    if "session" not in request.scope:
        return None
    user_id, version = request.session.get("uid"), request.session.get("ver")
    if not user_id:
        return None
    user = credentials.user_for_session(session, user_id, version, request.session.get("sid"))
    if user is None:
        request.session.pop("uid", None)
    return user


def optional_user(
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)] = None,
) -> User | None:
    """The signed-in user or None; also put on `request.state.user` for templates."""
    if bearer and bearer.startswith(api.PARTNER_TOKEN_PREFIX):
        user = None  # a partner system's token names no user: app/partners checks it
    elif bearer:
        user = credentials.user_for_token(session, bearer)
        if user is None:
            raise NotAuthenticated(
                _("The access token is invalid, expired or revoked."), code="invalid-token"
            )
    else:
        user = _session_user(request, session)
    if user is not None:
        _reload_after_rollback(request, session, user)
    request.state.user = user
    return user


def _reload_after_rollback(request: Request, session: Session, user: User) -> None:
    """Keep the signed-in user readable when the request fails.

    A refused request rolls its unit of work back, which expires every loaded
    row; the error page still shows who is signed in (name, role-dependent
    menu), so the user is loaded again in the fresh transaction.
    """

    def reload(sess: Session, previous_transaction: object) -> None:
        if sess.is_active and user in sess:
            try:
                sess.refresh(user)
            except SQLAlchemyError:  # the database itself failed: the error page shows no user
                request.state.user = None

    event.listen(session, "after_soft_rollback", reload)


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> User:
    # async: no I/O here, so no hop to the thread pool (tests/web/test_handlers.py)
    if user is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def api_access(request: Request, user: OptionalUser) -> User | None:
    """Router dependency of every API router: the API is private unless an endpoint says otherwise.

    An endpoint marked `@public` (app/web/api.py) lets anyone in; every other
    one needs a valid bearer token or a signed-in session (401 otherwise). An endpoint
    marked `@for_partners` checks a partner system's token itself (app/partners).
    It reads nothing from the database, so it runs on the event loop: one hop to the
    thread pool fewer for every API request.
    """
    endpoint = request.scope.get("endpoint")
    if user is None and not (api.is_public(endpoint) or api.is_for_partners(endpoint)):
        raise NotAuthenticated(_("Please sign in to continue."))
    return user


def require(predicate: Callable[[User | None], bool], message: str | None = None):
    """A dependency that lets the request through only if `predicate(user)` holds."""

    def check(user: CurrentUser) -> User:
        if not predicate(user):
            raise PermissionDenied(message or _("You do not have permission to do this."))
        return user

    return check


def require_role(role: Role):
    return require(lambda u: permissions.has_role(u, role))


AdminUser = Annotated[User, Depends(require(permissions.is_admin))]
CoordinatorUser = Annotated[User, Depends(require(permissions.is_coordinator))]


def managed_user(user_id: int, session: SessionDep, admin: AdminUser) -> User:
    """The user an administrator is looking at (404 if none)."""
    return service.get(session, user_id)


ManagedUser = Annotated[User, Depends(managed_user)]


Form = forms.Form  # the submitted form: one dependency, defined in the web layer


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def sign_in(request: Request, user: User) -> None:
    """Start a web session (a fresh CSRF token too, against session fixation).

    The session is also recorded server-side (in the user's database session), so
    it can be ended for good.
    """
    session = object_session(user)
    assert isinstance(session, Session), "sign_in needs a user loaded in the request's session"
    plain = credentials.open_web_session(session, user, request.headers.get("user-agent", ""))
    request.session.clear()
    request.session.update(
        {"uid": user.id, "ver": user.auth_version, "lang": user.language, "sid": plain}
    )
    request.state.user = user


def sign_out(request: Request, session: Session | None = None) -> None:
    """End the web session: the cookie is cleared and its server-side session closed."""
    if session is not None and request.session.get("sid"):
        credentials.close_web_session(session, request.session["sid"])
    request.session.clear()
