"""The OAuth2 client-credentials grant for partner systems, on Authlib's authorization server.

Authlib has no FastAPI server integration, so this module gives its
`AuthorizationServer` the three framework pieces it asks for: how to read a
request (`create_oauth2_request`), how to answer (`handle_response`) and how
to find a client and keep a token (`query_client`, `save_token`). One server is
built per request, around the request's database session.

A client authenticates with HTTP Basic (`client_secret_basic`) or form fields
(`client_secret_post`) and may ask for a subset of its allowed scopes (all of
them when it asks for none); asking for one it was not allowed is
`invalid_scope`. Errors are problem+json carrying the RFC 6749 `error` code.
"""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.errors import InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.i18n import _
from app.partners import service
from app.partners.models import SCOPES, PartnerClient


class PartnerOAuthClient(ClientMixin):
    """A partner client as Authlib sees it: confidential, client credentials only."""

    def __init__(self, partner: PartnerClient) -> None:
        self.partner = partner
        self.secret_hash: str | None = None  # the secret it authenticated with

    def get_client_id(self) -> str:
        return self.partner.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = [s for s in SCOPES if s in self.partner.scopes]
        if not scope:
            return list_to_scope(allowed)
        return list_to_scope([s for s in allowed if s in scope_to_list(scope)])

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        self.secret_hash = service.secret_matches(self.partner, client_secret)
        return self.secret_hash is not None

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class PartnerCredentialsGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_requested_scope(self) -> None:
        super().validate_requested_scope()
        requested = scope_to_list(self.request.payload.scope) or []
        client = self.request.client
        assert isinstance(client, PartnerOAuthClient)
        if any(s not in client.partner.scopes for s in requested):
            raise InvalidScopeError(description="A requested scope was not allowed.")


class _Request(OAuth2Request):
    """A token request read from the form FastAPI parsed.

    Authlib refuses a plain-http URI; TLS ends at the reverse proxy in front of the
    app (deploy/), so the app judges the transport by the deployment, not by the URI
    it sees.
    """

    def __init__(self, request: Request, form: dict[str, str]) -> None:
        self.method = request.method
        self.uri = str(request.url)
        self.headers = request.headers  # case-insensitive, as Authlib reads "Authorization"
        self._body = None
        self.payload = BasicOAuth2Payload(form)
        self.client = None
        self.auth_method = None
        self.user = None
        self.authorization_code = None
        self.refresh_token = None
        self.credential = None
        self._scope = None
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return {}  # the token endpoint reads only the form

    @property
    def form(self) -> dict[str, str]:
        return self._form


class PortalAuthorizationServer(AuthorizationServer):
    def __init__(self, session: Session, request: Request) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.session = session
        self.http_request = request
        self.issued: PartnerClient | None = None
        self.register_grant(PartnerCredentialsGrant)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **kwargs: None,  # save_token makes the value
                expires_generator=lambda client, grant_type: int(
                    service.TOKEN_LIFETIME.total_seconds()
                ),
            ),
        )

    def query_client(self, client_id: str) -> PartnerOAuthClient | None:
        partner = service.by_client_id(self.session, client_id)
        return PartnerOAuthClient(partner) if partner is not None and partner.is_active else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        client = request.client
        assert isinstance(client, PartnerOAuthClient) and client.secret_hash
        _row, plain = service.issue_token(
            self.session,
            client.partner,
            scope_to_list(token.get("scope")) or [],
            client.secret_hash,
        )
        token["access_token"] = plain
        self.issued = client.partner

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        assert isinstance(request, OAuth2Request)
        return request

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def handle_response(self, status: int, body: Any, headers: Any) -> JSONResponse:
        extra = {k: v for k, v in (headers or []) if k.lower() != "content-type"}
        if status < 400:
            return JSONResponse(body, status_code=status, headers=extra)
        error = dict(body)
        code = str(error.get("error", "invalid_request"))
        problem = {
            "type": f"/problems/oauth-{code.replace('_', '-')}",
            "title": _("The partner could not be authenticated."),
            "status": status,
            "detail": _messages().get(code, _("The token request is not valid.")),
            "instance": self.http_request.url.path,
            "error": code,
        }
        if status == 401:
            extra["WWW-Authenticate"] = 'Basic realm="partners"'
        return JSONResponse(
            problem, status_code=status, headers=extra, media_type="application/problem+json"
        )


def _messages() -> dict[str, str]:
    return {
        "invalid_client": _("Unknown client, wrong or expired secret, or a revoked client."),
        "invalid_scope": _("A requested scope is not allowed for this partner."),
        "unsupported_grant_type": _("Only the client_credentials grant is supported."),
        "unauthorized_client": _("This client may not use this grant."),
    }


def token_response(
    session: Session, request: Request, form: dict[str, str]
) -> tuple[JSONResponse, PartnerClient | None]:
    """Run the client-credentials grant on a parsed token request: the answer, and the
    partner a token was issued to (None when refused)."""
    server = PortalAuthorizationServer(session, request)
    response = server.create_token_response(_Request(request, form))
    assert isinstance(response, JSONResponse)
    return response, server.issued
