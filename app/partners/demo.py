"""Demo data of the partners domain: a provincial integration platform registered as a
partner, with credentials printed by `portal demo`, and one initiative it forwarded.

The demo secret is fixed so a newcomer can try the curl examples of docs/integration.md
at once; a real partner's secret is random and shown once.
"""

from __future__ import annotations

import copy

from sqlmodel import Session

from app.accounts.models import User
from app.partners import forwarding, service
from app.partners.models import SCOPES
from app.partners.schemas import EXAMPLE_FORWARD, ForwardIn, PartnerForm

DEMO_CLIENT_ID = "pc_demo_lgsp_cantho"
DEMO_SECRET = "ps_demo-lgsp-cantho-2026"


def load(session: Session, users: dict[str, User]) -> None:
    if service.by_client_id(session, DEMO_CLIENT_ID) is not None:
        return
    partner, _secret = service.register(
        session,
        users["admin@sangkien.local"],
        PartnerForm(
            name="Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Cần Thơ (LGSP)",
            agency_code="000.00.00.H13",
            contact_name="Lê Văn Cường",
            contact_email="lgsp@cantho.gov.vn",
            scopes=list(SCOPES),
        ),
    )
    partner.client_id = DEMO_CLIENT_ID
    partner.secret_hash, partner.secret_prefix = service.digest(DEMO_SECRET), DEMO_SECRET[:10]
    session.add(partner)
    data = copy.deepcopy(EXAMPLE_FORWARD)
    data["external_id"] = "LGSP-CT-2026-000007"
    data["submitter"] = {"full_name": "Nguyễn Văn An", "email": "an.nguyen@sangkien.local"}
    forwarding.forward(session, partner, ForwardIn.model_validate(data), [])
    session.flush()


def login_lines() -> list[str]:
    return [
        "",
        "Demo partner system (docs/integration.md; admin page /admin/partners):",
        f"  CLIENT_ID={DEMO_CLIENT_ID}",
        f"  CLIENT_SECRET={DEMO_SECRET}",
    ]
