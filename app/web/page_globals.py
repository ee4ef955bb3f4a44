"""Every template global of the pages, registered here and nowhere else.

Two kinds:

- `install(env)`: functions that need no request (labels in the reader's
  language), added once to the Jinja environment, so pages and mails rendered
  by the worker see the same names whatever modules were imported;
- `page_context(request)`: what depends on the visitor (the header's unread
  count, the exchange blocks). Everything it reads goes through the request's
  own session (`app.db.request_session`), never a second connection.

Imports are inside the functions: the domains import `app.web.templating`,
so this module is loaded on first render, after them.
"""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import Request


def install(env: jinja2.Environment) -> None:
    from app.accounts.labels import (
        membership_state_label,
        organisation_type_label,
        role_label,
    )
    from app.config import get_settings
    from app.exchange import service as exchange

    env.globals.update(
        site_url=lambda: get_settings().base_url.rstrip("/"),  # printed addresses, e.g. to verify
        role_label=role_label,
        organisation_type_label=organisation_type_label,
        membership_state_label=membership_state_label,
        contact_purpose_label=exchange.purpose_label,
        contact_purpose_options=exchange.purpose_options,
        contact_status_label=exchange.status_label,
    )


def page_context(request: Request) -> dict[str, Any]:
    from sqlmodel import select

    from app.catalogue import service as catalogue
    from app.db import request_session
    from app.exchange import service as exchange
    from app.i18n import get_language
    from app.initiatives.models import Field, Initiative
    from app.notifications import service as notifications

    user = getattr(request.state, "user", None)

    def panel(initiative_id: int) -> dict[str, Any]:
        with request_session(request) as session:
            return exchange.panel(session, user, initiative_id)

    def received(initiative_id: int) -> list[dict[str, Any]]:
        if user is None:
            return []
        with request_session(request) as session:
            initiative = session.get(Initiative, initiative_id)
            if initiative is None:
                return []
            return [
                exchange.describe(session, user, r)
                for r in exchange.received(session, user, initiative)
            ]

    names: dict[str, Field | None] = {}

    def field_name(code: str | None, fallback: str | None = None) -> str:
        """A field's name in the reader's language (search documents hold it in Vietnamese)."""
        if not code:
            return fallback or ""
        if code not in names:
            with request_session(request) as session:
                names[code] = session.exec(select(Field).where(Field.code == code)).first()
        found = names[code]
        return found.name(get_language()) if found else fallback or code

    ctx: dict[str, Any] = {
        "field_name": field_name,
        "exchange_panel": panel,
        "exchange_received": received,
        "catalogue_similar": lambda initiative_id: catalogue.similar(None, initiative_id),
    }
    if user is not None:
        with request_session(request) as session:
            ctx["unread_count"] = notifications.unread_count(session, user)
    return ctx
