"""A cast for contact requests: the authors of a published initiative and the people who ask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.accounts.models import OrganisationType, Role, User
from app.exchange import service
from app.exchange.models import ContactRequest
from app.exchange.schemas import ContactRequestIn
from app.initiatives.models import Initiative
from tests import factories
from tests.initiatives import helpers as initiatives

MESSAGE = "Quỹ chúng tôi muốn tài trợ giai đoạn thí điểm tại ba tỉnh miền núi."


@dataclass
class Cast:
    submitter: User
    coauthor: User
    investor: User
    enterprise: User
    reviewer: User
    initiative: Initiative  # published, by the submitter with the co-author


def cast(session: Session, *, status: str = "published") -> Cast:
    fund = factories.organisation(
        session, "Quỹ Đổi mới Sáng tạo Phương Nam", type=OrganisationType.investment_fund
    )
    submitter = factories.user(
        session, Role.submitter, email="tac.gia@vien.vn", full_name="Trần Thị Bình", language="en"
    )
    coauthor = factories.user(
        session,
        Role.submitter,
        email="dong.tac.gia@vien.vn",
        full_name="Lê Văn Cường",
        language="en",
    )
    cast = Cast(
        submitter=submitter,
        coauthor=coauthor,
        investor=factories.user(
            session,
            Role.investor,
            email="dautu@quy.vn",
            full_name="Phạm Minh Đức",
            organisation_id=fund.id,
            language="en",
        ),
        enterprise=factories.user(
            session,
            Role.enterprise,
            email="doanhnghiep@congty.vn",
            full_name="Hoàng Thu Hà",
            language="en",
        ),
        reviewer=factories.user(session, Role.reviewer, email="chuyengia@vien.vn"),
        initiative=initiatives.initiative(session, submitter, status=status, coauthor=coauthor),
    )
    session.commit()
    return cast


def ask(
    session: Session,
    user: User,
    initiative: Initiative,
    purpose: str = "invest",
    message: str = MESSAGE,
) -> ContactRequest:
    """A committed request made through the service."""
    request = service.request_contact(
        session, user, initiative, ContactRequestIn(purpose=purpose, message=message)
    )
    session.commit()
    return request
