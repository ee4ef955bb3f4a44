"""Demo deals: one in negotiation, one signed and deployed, an investor's funding interest; an
intermediary's profile with a delivered, rated service and a request waiting for an answer; the
same intermediary facilitates the deal in negotiation with both parties' consent.

Everything goes through the deal verbs, so the demo's history chains are real.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.exchange import deal_opening, deal_queries, deal_verbs, facilitators, intermediaries, nda
from app.exchange.deal_schemas import (
    AgreementFields,
    DealIn,
    NdaAcceptIn,
    OfferIn,
    ProfileIn,
    RatingIn,
    ResultIn,
    ServiceRequestIn,
)
from app.exchange.models import Deal
from app.initiatives.models import Initiative
from app.problems.models import Proposal, ProposalStatus
from app.storage import StoredFile, get_storage

ADDRESS = "127.0.0.1"


def _nda(session: Session, user: User, deal: Deal, language: str) -> None:
    template = next(t for t in deal_queries.current_templates(session) if t.language == language)
    assert template.id is not None
    nda.accept_nda(
        session,
        user,
        deal,
        NdaAcceptIn(template_id=template.id, text_sha256=template.sha256),
        address=ADDRESS,
    )


def _document(text: str) -> StoredFile:
    content = f"%PDF-1.4\n% {text}\n%%EOF\n".encode()
    writer = get_storage().writer()
    writer.write(content)
    key = writer.commit()
    return StoredFile(
        key=key,
        filename="hop-dong-chuyen-giao.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def load(session: Session, users: dict[str, User]) -> None:
    if session.exec(select(Deal).limit(1)).first() is not None:
        return
    published = list(
        session.exec(
            select(Initiative)
            .where(col(Initiative.status).in_(["published", "commercialising"]))
            .order_by(col(Initiative.id))
        )
    )
    if len(published) < 2:
        return
    submitter = users["nhakhoahoc@sangkien.local"]
    enterprise = users["doanhnghiep@sangkien.local"]
    investor = users["nhadautu@sangkien.local"]

    # 1. Signed and deployed: the initiative moves to commercialising through its state machine.
    deployed = deal_opening.open_directly(session, enterprise, published[0], DealIn())
    _nda(session, enterprise, deployed, "vi")
    _nda(session, submitter, deployed, "vi")
    deal_verbs.advance(session, enterprise, deployed)
    offer = deal_verbs.make_offer(
        session,
        submitter,
        deployed,
        OfferIn(
            kind="licence",
            scope="Li-xăng không độc quyền sử dụng quy trình tại ba nhà máy của doanh nghiệp",
            territory="Việt Nam",
            duration_months=36,
            value_vnd=1_800_000_000,
            milestones="Tháng 1: chuyển giao tài liệu; tháng 3: vận hành thử; tháng 6: nghiệm thu",
        ),
    )
    assert offer.id is not None
    deal_verbs.answer_offer(session, enterprise, deployed, offer.id, accept=True)
    deal_verbs.sign_agreement(
        session,
        submitter,
        deployed,
        AgreementFields(signed_on=date(2026, 10, 15), value_vnd=1_800_000_000, value_band="1b_10b"),
        _document("Hợp đồng chuyển giao công nghệ (bản demo)"),
    )
    deal_verbs.report_result(
        session,
        submitter,
        deployed,
        ResultIn(
            place="Nhà máy chế biến Đà Nẵng",
            indicator="Điện năng tiêu thụ (kWh/tấn sản phẩm)",
            before="410",
            after="352",
        ),
    )
    deal_verbs.confirm_result(session, enterprise, deployed)

    # 2. In negotiation: an offer and a counter-offer wait for an answer.
    negotiating = deal_opening.open_directly(session, enterprise, published[1], DealIn())
    _nda(session, enterprise, negotiating, "vi")
    _nda(session, submitter, negotiating, "en")
    deal_verbs.advance(session, submitter, negotiating)
    base = {
        "kind": "joint_development",
        "scope": "Cùng phát triển phiên bản thương mại của hệ thống",
        "territory": "Miền Trung",
        "duration_months": 24,
        "milestones": "Mẫu thử sau 6 tháng; sản phẩm thương mại sau 18 tháng",
    }
    deal_verbs.make_offer(session, submitter, negotiating, OfferIn(**base, value_vnd=2_500_000_000))
    deal_verbs.make_offer(
        session, enterprise, negotiating, OfferIn(**base, value_vnd=1_900_000_000)
    )

    # 3. An investor's funding interest at first contact, NDA accepted by the investor only.
    funding = deal_opening.open_directly(
        session,
        investor,
        published[1],
        DealIn(kind="funding", amount_band="1b_10b", instrument="equity"),
    )
    _nda(session, investor, funding, "vi")

    # 4. An intermediary's profile, a delivered and rated service on the deployed deal, and a
    #    request waiting for an answer on the deal in negotiation.
    agent = users["trunggian@sangkien.local"]
    profile = intermediaries.save_profile(
        session,
        agent,
        ProfileIn(
            description="Định giá công nghệ, đại diện sở hữu trí tuệ và tư vấn hợp đồng chuyển giao.",
            services=["ip_valuation", "ip_agent", "transfer_centre"],
            fields=["industry_energy", "digital_technology"],
            provinces=["Đà Nẵng", "Quảng Nam", "Thừa Thiên Huế"],
            price_band="medium",
        ),
    )
    valuation = intermediaries.request_service(
        session,
        submitter,
        profile,
        ServiceRequestIn(
            service="ip_valuation",
            message="Nhờ định giá công nghệ trước khi đưa ra đề nghị li-xăng.",
            deal_id=deployed.id,
        ),
    )
    intermediaries.answer(session, agent, valuation, True)
    intermediaries.deliver(session, agent, valuation)
    intermediaries.rate(
        session, submitter, valuation, RatingIn(rating=5, comment="Báo cáo định giá rõ ràng.")
    )
    intermediaries.request_service(
        session,
        enterprise,
        profile,
        ServiceRequestIn(
            service="ip_agent",
            message="Nhờ rà soát điều khoản sở hữu trí tuệ trong đề nghị đáp lại.",
            deal_id=negotiating.id,
        ),
    )
    # 5. The intermediary facilitates the deal in negotiation: the authors invited it, the
    #    enterprise accepted; it sees the offers' terms but not their values.
    invited = facilitators.request(session, submitter, negotiating, profile.id or 0)
    facilitators.consent(session, enterprise, negotiating, invited.id)

    # 6. A deal carrying out a problem's awarded proposal, when the problems' demo awarded one
    #    that names an initiative (an awarded sketch gets no deal: see `open_from_proposal`).
    awarded = session.exec(
        select(Proposal)
        .where(Proposal.status == ProposalStatus.awarded, col(Proposal.initiative_id).is_not(None))
        .order_by(col(Proposal.id))
    ).first()
    if awarded is not None:
        deal_opening.open_from_proposal(
            session, session.get_one(User, awarded.proposer_id), awarded
        )
    session.flush()
