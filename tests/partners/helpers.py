"""Partner test helpers: a registered partner, its token, a forward request."""

from __future__ import annotations

import copy
import json
from typing import Any

from sqlmodel import Session

from app.accounts.models import Role, User
from app.partners import service
from app.partners.models import SCOPES, PartnerClient
from app.partners.schemas import EXAMPLE_FORWARD, PartnerForm
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin(session: Session) -> User:
    return factories.user(session, Role.admin, full_name="Quản Trị Viên")


def partner(
    session: Session,
    *,
    scopes: tuple[str, ...] = SCOPES,
    callback_url: str = "",
    code: str = "000.00.00.H26",
    name: str = "Hệ thống tiếp nhận kiến nghị tỉnh",
) -> tuple[PartnerClient, str]:
    registered, secret = service.register(
        session,
        admin(session),
        PartnerForm(
            name=name,
            agency_code=code,
            contact_name="Trần Thị Bình",
            contact_email="binh@example.gov.vn",
            scopes=list(scopes),
            callback_url=callback_url,
        ),
    )
    session.commit()
    return registered, secret


def token(client, partner: PartnerClient, secret: str, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    response = client.post("/api/v1/partners/token", data=data, auth=(partner.client_id, secret))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def payload(external_id: str = "LGSP-HN-2026-000123", **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE_FORWARD)
    data["external_id"] = external_id
    for key, value in changes.items():
        data[key] = value
    return data


def forward(client, access: str, data: dict[str, Any], files=(), headers=None):
    parts: list[tuple[str, Any]] = [("initiative", (None, json.dumps(data), "application/json"))]
    parts += [("file", f) for f in files]
    return client.post(
        "/api/v1/partners/initiatives",
        files=parts,
        headers={**bearer(access), **(headers or {})},
    )
