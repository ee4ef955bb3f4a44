"""A cast for problem statements: the owning enterprise, its colleague, solvers, coordinators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from app.accounts.models import OrganisationType, Role, User
from app.db import utcnow
from app.i18n import TIMEZONE
from app.problems import proposals as proposal_service
from app.problems import service, visibility
from app.problems.models import Problem
from app.problems.schemas import ProblemIn, ProblemProposalIn
from tests import factories

TITLE = "Giảm thất thoát sau thu hoạch thanh long"
ABSTRACT = "Tìm giải pháp bảo quản thanh long xuất khẩu kéo dài thời gian tươi lên 30 ngày."
DETAILS = "Số liệu thất thoát lô hàng tháng 7 là bí mật kinh doanh ZXQ-4471."


def today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def body(**overrides) -> dict:
    values = {
        "title": TITLE,
        "abstract": ABSTRACT,
        "pain": "Thất thoát 25 % sản lượng do thối hỏng.",
        "affected": "Hợp tác xã và doanh nghiệp xuất khẩu.",
        "workaround": "Kho lạnh thuê ngoài.",
        "outcomes": [{"indicator": "Tỷ lệ thất thoát", "unit": "%", "target": 10}],
        "details": DETAILS,
        "field_code": "agriculture_environment",
        "subfield_code": "agri_crops_livestock",
        "scope": "provinces",
        "provinces": ["Lâm Đồng"],
        "target_trl": 7,
        "budget_min": 500_000_000,
        "budget_max": 2_000_000_000,
        "funding_mode": "enterprise_led",
        "deadline": (today() + timedelta(days=30)).isoformat(),
        "delivery_months": 12,
        "ip_terms": "shared",
    }
    values.update(overrides)
    return values


@dataclass
class Cast:
    owner: User  # enterprise role, acts for the company
    colleague: User  # enterprise role, same company
    rival: User  # enterprise of another company
    scientist: User  # submitter, the proposer
    other: User  # another submitter
    coordinator: User
    admin: User


def cast(session: Session) -> Cast:
    company = factories.organisation(
        session, "Công ty Nông sản Xanh", type=OrganisationType.enterprise
    )
    other_company = factories.organisation(
        session, "Công ty Logistics Lạnh", type=OrganisationType.enterprise
    )
    institute = factories.organisation(session, "Viện Cơ điện Nông nghiệp")
    return Cast(
        owner=factories.user(
            session,
            Role.enterprise,
            email="chu@nongsanxanh.vn",
            full_name="Đỗ Thị Chủ",
            organisation_id=company.id,
            language="en",
        ),
        colleague=factories.user(
            session,
            Role.enterprise,
            email="dongnghiep@nongsanxanh.vn",
            full_name="Vũ Văn Đồng",
            organisation_id=company.id,
            language="en",
        ),
        rival=factories.user(
            session,
            Role.enterprise,
            email="khac@logistics.vn",
            full_name="Ngô Văn Khác",
            organisation_id=other_company.id,
        ),
        scientist=factories.user(
            session,
            Role.submitter,
            email="nhakhoahoc@vien.vn",
            full_name="Trần Khoa Học",
            organisation_id=institute.id,
            language="en",
        ),
        other=factories.user(session, Role.submitter, email="nguoikhac@vien.vn"),
        coordinator=factories.user(
            session, Role.coordinator, email="dieuphoi@portal.vn", full_name="Phạm Điều Phối"
        ),
        admin=factories.user(session, Role.admin, email="quantri@portal.vn"),
    )


def problem(session: Session, c: Cast, status: str = "open", **overrides) -> Problem:
    """A problem by the owner's company, arranged directly in `status`."""
    created = service.create(session, c.owner, ProblemIn.model_validate(body(**overrides)))
    created.status = status
    session.add(created)
    session.commit()
    return created


def accept_nda(session: Session, user: User, p: Problem) -> None:
    service.accept_nda(session, user, p)
    session.commit()


def sketch(session: Session, user: User, p: Problem, **overrides):
    values = {
        "kind": "sketch",
        "summary": "Màng bao chitosan kết hợp xử lý nhiệt nhẹ.",
        "approach": "Thử nghiệm trên ba lô hàng.",
        "team": "Bốn người.",
        "cost": 1_200_000_000,
        "timeline": "9 tháng",
        "current_trl": 5,
        "confidential": "Công thức màng bao bí mật.",
        **overrides,
    }
    proposal = proposal_service.propose(session, user, p, ProblemProposalIn.model_validate(values))
    session.commit()
    return proposal


__all__ = ["visibility"]
