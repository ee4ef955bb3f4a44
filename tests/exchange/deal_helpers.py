"""A cast for deals: the authors of a published initiative, a counterparty organisation, outsiders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.accounts.models import OrganisationType, Role, User
from app.exchange import deal_opening, deal_verbs, intermediaries, nda
from app.exchange.deal_schemas import AgreementFields, DealIn, NdaAcceptIn, OfferIn, ProfileIn
from app.exchange.models import Deal, IntermediaryProfile, NdaTemplate
from app.initiatives.models import Initiative
from app.storage import StoredFile, get_storage
from tests import factories
from tests.initiatives import helpers as initiatives


@dataclass
class DealCast:
    submitter: User
    coauthor: User
    buyer: User  # acts for the counterparty organisation (an enterprise)
    colleague: User  # also acts for it
    rival: User  # an enterprise of another organisation
    investor: User  # acts for a fund
    coordinator: User
    reviewer: User
    initiative: Initiative


def cast(session: Session, *, status: str = "published") -> DealCast:
    company = factories.organisation(
        session, "Công ty Cổ phần Nông nghiệp Xanh", type=OrganisationType.enterprise
    )
    rival_company = factories.organisation(
        session, "Công ty TNHH Đối Thủ", type=OrganisationType.enterprise
    )
    fund = factories.organisation(
        session, "Quỹ Đầu tư Mạo hiểm Sông Hồng", type=OrganisationType.investment_fund
    )
    institute = factories.organisation(session, "Viện Công nghệ Sinh học")
    submitter = factories.user(
        session,
        Role.submitter,
        email="tacgia@vien.vn",
        full_name="Trần Thị Bình",
        organisation_id=institute.id,
        language="en",
    )
    coauthor = factories.user(
        session, Role.submitter, email="dongtacgia@vien.vn", full_name="Lê Văn Cường"
    )
    c = DealCast(
        submitter=submitter,
        coauthor=coauthor,
        buyer=factories.user(
            session,
            Role.enterprise,
            email="giamdoc@nongnghiepxanh.vn",
            full_name="Hoàng Thu Hà",
            organisation_id=company.id,
            language="en",
        ),
        colleague=factories.user(
            session,
            Role.enterprise,
            email="phapche@nongnghiepxanh.vn",
            full_name="Đỗ Pháp Chế",
            organisation_id=company.id,
        ),
        rival=factories.user(
            session,
            Role.enterprise,
            email="doithu@doithu.vn",
            full_name="Ngô Đối Thủ",
            organisation_id=rival_company.id,
        ),
        investor=factories.user(
            session,
            Role.investor,
            email="dautu@songhong.vn",
            full_name="Phạm Minh Đức",
            organisation_id=fund.id,
        ),
        coordinator=factories.user(
            session, Role.coordinator, email="dieuphoi@bo.gov.vn", full_name="Vũ Điều Phối"
        ),
        reviewer=factories.user(session, Role.reviewer, email="chuyengia@vien.vn"),
        initiative=initiatives.initiative(session, submitter, status=status, coauthor=coauthor),
    )
    session.commit()
    return c


def open_deal(session: Session, c: DealCast, user: User | None = None) -> Deal:
    deal = deal_opening.open_directly(session, user or c.buyer, c.initiative, DealIn())
    session.commit()
    return deal


def template(session: Session, language: str = "vi") -> NdaTemplate:
    return session.exec(
        select(NdaTemplate)
        .where(NdaTemplate.language == language)
        .order_by(NdaTemplate.version.desc())  # type: ignore[attr-defined]
    ).first()


def accept_nda(session: Session, user: User, deal: Deal, language: str = "vi") -> None:
    t = template(session, language)
    nda.accept_nda(
        session, user, deal, NdaAcceptIn(template_id=t.id, text_sha256=t.sha256), address="10.1.2.3"
    )
    session.commit()


OFFER = {
    "kind": "licence",
    "scope": "Độc quyền sản xuất chế phẩm vi sinh MARKER-SCOPE-7Q",
    "territory": "Miền Bắc",
    "duration_months": 36,
    "value_vnd": 987654321,
    "milestones": "Chuyển giao quy trình trong 3 tháng",
}


def to_negotiation(session: Session, c: DealCast, deal: Deal) -> None:
    """NDA by both sides, due diligence, an offer by the authors and a counter-offer by the buyer."""
    accept_nda(session, c.submitter, deal)
    accept_nda(session, c.buyer, deal, "en")
    deal_verbs.advance(session, c.buyer, deal)
    deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    deal_verbs.make_offer(session, c.buyer, deal, OfferIn(**{**OFFER, "value_vnd": 876543210}))
    session.commit()


def stored_document(content: bytes = b"%PDF-1.4 signed agreement MARKER-DOC-5Z\n") -> StoredFile:
    writer = get_storage().writer()
    writer.write(content)
    key = writer.commit()
    return StoredFile(
        key=key,
        filename="hop-dong.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def sign(session: Session, c: DealCast, deal: Deal) -> None:
    """The buyer accepts the authors' latest terms (a counter by the authors), the submitter signs."""
    offer = deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    deal_verbs.answer_offer(session, c.buyer, deal, offer.id, accept=True)
    deal_verbs.sign_agreement(
        session,
        c.submitter,
        deal,
        AgreementFields(signed_on=date(2026, 11, 20), value_vnd=950000000, value_band="100m_1b"),
        stored_document(),
    )
    session.commit()


def intermediary(session: Session) -> tuple[User, IntermediaryProfile]:
    """An intermediary organisation with a published profile, and the person acting for it."""
    centre = factories.organisation(
        session, "Trung tâm Hỗ trợ Đổi mới Sáng tạo", type=OrganisationType.intermediary
    )
    agent = factories.user(
        session,
        Role.intermediary,
        email="tuvan@doimoi.vn",
        full_name="Lý Tư Vấn",
        organisation_id=centre.id,
    )
    profile = intermediaries.save_profile(
        session,
        agent,
        ProfileIn(
            description="Tư vấn chuyển giao công nghệ",
            services=["transfer_centre", "ip_agent"],
            fields="agriculture",
            provinces=["Hà Nội"],
            price_band="medium",
        ),
    )
    session.commit()
    return agent, profile
