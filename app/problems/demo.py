"""Demo problem statements: a national one (open, with proposals, a public answer, a confidential
file and counted views), a provincial one (awarded), enterprise ones (open with a shortlisted
sketch, a private question and a withdrawn proposal; waiting for moderation; a draft with a
file to edit). The investor and the scientist follow problems (a field, instantly; a saved
search of the listing, daily), so opening them sends real notices. Built through the services,
like real use."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlmodel import Session, select

from app.accounts import memberships
from app.accounts import service as accounts
from app.accounts.models import Organisation, OrganisationType, Role, User
from app.initiatives.models import Initiative
from app.problems import proposals as proposal_service
from app.problems import questions as question_service
from app.problems import service, workflow
from app.problems.models import Problem
from app.problems.schemas import (
    AnswerIn,
    AwardIn,
    MessageIn,
    ProblemIn,
    ProblemProposalIn,
    ProposalDeclineIn,
    ProposalWithdrawIn,
    QuestionIn,
)
from app.storage import StoredFile, get_storage
from app.subscriptions import service as subscription_service
from app.subscriptions.schemas import SubscriptionForm

AGENCY_EMAIL = "sokhcn@sangkien.local"


def _agency(session: Session, password: str) -> User:
    """The provincial science department's poster (an agency role)."""
    found = accounts.get_by_email(session, AGENCY_EMAIL)
    if found is not None:
        return found
    org = Organisation(
        name="Sở Khoa học và Công nghệ Lâm Đồng",
        type=OrganisationType.state_agency,
        province="Lâm Đồng",
    )
    session.add(org)
    session.flush()
    poster = accounts.create_user(
        session,
        email=AGENCY_EMAIL,
        full_name="Lương Thị Sở",
        password=password,
        roles=(Role.agency,),
        verified=True,
        organisation_id=org.id,
        province="Lâm Đồng",
    )
    memberships.found(session, poster, org)  # who registers the department manages it
    return poster


def _problem(session: Session, poster: User, days: int, **values: object) -> Problem:
    today = workflow.today_in_vietnam()
    data = {
        "pain": "",
        "affected": "",
        "workaround": "",
        "deadline": (today + timedelta(days=days)).isoformat(),
        **values,
    }
    return service.create(session, poster, ProblemIn.model_validate(data))


def _file(session: Session, user: User, problem: Problem, name: str, text: str) -> None:
    content = f"%PDF-1.4\n% {text}\n%%EOF\n".encode()
    writer = get_storage().writer()
    writer.write(content)
    stored = StoredFile(
        key=writer.commit(),
        filename=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    service.add_attachments(session, user, problem, [stored])


def _views(session: Session, problem: Problem, readers: int) -> None:
    """Readers on the page today (each counted once, as the page counts them)."""
    for n in range(readers):
        service.count_view(session, None, problem, f"demo-reader-{n}")


def _subscriptions(session: Session, users: dict[str, User]) -> None:
    """Who follows problems: made before the problems open, so the opening notifies them."""
    investor = users.get("nhadautu@sangkien.local")
    scientist = users["nhakhoahoc@sangkien.local"]
    follows = [
        (
            scientist,
            SubscriptionForm(
                subject="problems",
                kind="category",
                field_code="agriculture_environment",
                channel="instant",
            ),
        ),
        (
            investor,
            SubscriptionForm(
                subject="problems",
                kind="search",
                query="q=sau+rieng&funding_mode=enterprise_led",
                channel="daily",
            ),
        ),
    ]
    for user, form in follows:
        if user is not None:
            subscription_service.subscribe(session, user, form)


def _sketch(summary: str, **extra: object) -> ProblemProposalIn:
    return ProblemProposalIn.model_validate({"kind": "sketch", "summary": summary, **extra})


def load(session: Session, users: dict[str, User], password: str) -> None:
    coordinator = users["dieuphoi@sangkien.local"]
    enterprise = users["doanhnghiep@sangkien.local"]
    scientist = users["nhakhoahoc@sangkien.local"]
    coauthor = users["tacgia@sangkien.local"]
    agency = _agency(session, password)
    _subscriptions(session, users)
    published = session.exec(
        select(Initiative).where(
            Initiative.submitter_id == scientist.id, Initiative.status == "published"
        )
    ).first()

    # National, posted by a coordinator: opens at once.
    national = _problem(
        session,
        coordinator,
        45,
        title="Cảnh báo sớm sạt lở đất cho các tỉnh miền núi phía Bắc",
        abstract="Hệ thống cảnh báo sớm sạt lở đất chi phí thấp, cảnh báo trước ít nhất 6 giờ cho cấp xã.",
        pain="Mỗi mùa mưa sạt lở gây thiệt hại về người và tài sản; cảnh báo hiện nay chỉ ở cấp tỉnh.",
        affected="Người dân và chính quyền cấp xã ở Lào Cai, Điện Biên, Sơn La, Cao Bằng.",
        workaround="Theo dõi bản tin thời tiết và tuần tra thủ công.",
        outcomes=[
            {"indicator": "Thời gian cảnh báo trước", "unit": "giờ", "target": 6},
            {"indicator": "Chi phí một trạm quan trắc", "unit": "triệu đồng", "target": 50},
        ],
        details="Danh sách 120 điểm sạt lở trọng điểm và dữ liệu mưa 10 năm của các trạm khí tượng.",
        field_code="agriculture_environment",
        subfield_code="agri_environment_climate",
        scope="national",
        target_trl=7,
        budget_min=5_000_000_000,
        budget_max=15_000_000_000,
        funding_mode="state_order",
        delivery_months=24,
        ip_terms="owner",
    )
    _file(session, coordinator, national, "diem-sat-lo-trong-diem.pdf", "120 diem sat lo")
    service.submit(session, coordinator, national)
    _views(session, national, 7)
    question = question_service.ask(
        session,
        coauthor,
        national,
        QuestionIn(question="Có nhận giải pháp chỉ dùng dữ liệu vệ tinh không?"),
    )
    question_service.answer(
        session, coordinator, question, AnswerIn(answer="Có, nếu đạt thời gian cảnh báo.")
    )
    service.accept_nda(session, scientist, national)
    if published is not None:
        proposal_service.propose(
            session,
            scientist,
            national,
            ProblemProposalIn(
                kind="initiative",
                initiative_id=published.id,
                summary="Mạng cảm biến IoT của sáng kiến đã thử nghiệm tại hai xã.",
            ),
        )
    proposal_service.propose(
        session,
        coauthor,
        national,
        _sketch(
            "Mô hình học máy dự báo sạt lở từ ảnh vệ tinh và dữ liệu mưa.",
            approach="Huấn luyện trên dữ liệu 10 năm, kiểm chứng tại 20 điểm.",
            team="Ba nghiên cứu viên, một kỹ sư dữ liệu.",
            cost=4_000_000_000,
            timeline="18 tháng",
            current_trl=4,
            confidential="Kiến trúc mô hình và bộ dữ liệu gán nhãn.",
        ),
    )

    # Provincial, posted by the department of science: moderated, closed, awarded.
    provincial = _problem(
        session,
        agency,
        30,
        title="Truy xuất nguồn gốc cà phê Lâm Đồng theo từng lô",
        abstract="Giải pháp truy xuất nguồn gốc cà phê từ vườn đến lô xuất khẩu, chi phí dưới 200 đồng/kg.",
        pain="Nhà nhập khẩu châu Âu yêu cầu chứng minh không phá rừng theo từng lô.",
        affected="Hơn 5 000 hộ trồng cà phê và 12 doanh nghiệp xuất khẩu.",
        outcomes=[{"indicator": "Tỷ lệ lô có dữ liệu truy xuất", "unit": "%", "target": 95}],
        details="Bản đồ vùng trồng và danh sách hợp tác xã tham gia thí điểm.",
        field_code="digital_technology",
        subfield_code="digital_iot_blockchain",
        scope="provinces",
        provinces=["Lâm Đồng"],
        target_trl=8,
        budget_min=1_000_000_000,
        budget_max=3_000_000_000,
        funding_mode="state_led",
        delivery_months=12,
        ip_terms="shared",
    )
    service.submit(session, agency, provincial)
    workflow.transition(session, provincial, "open", actor=coordinator)
    chosen = proposal_service.propose(
        session,
        scientist,
        provincial,
        _sketch("Mã QR theo lô kết hợp ảnh vệ tinh vùng trồng.", cost=2_500_000_000, current_trl=6),
    )
    early = proposal_service.propose(
        session,
        coauthor,
        provincial,
        _sketch("Chuỗi khối cho toàn bộ chuỗi cung ứng.", current_trl=2),
    )
    proposal_service.decline(session, agency, early, ProposalDeclineIn(reason="too_early"))
    provincial.deadline = workflow.today_in_vietnam() - timedelta(days=1)
    workflow.transition(session, provincial, "closed", actor=None)
    workflow.transition(session, provincial, "evaluating", actor=agency)
    proposal_service.award(session, agency, provincial, AwardIn(proposal_ids=[chosen.id or 0]))

    # Enterprise: open, a shortlisted sketch with a private question.
    sensors = _problem(
        session,
        enterprise,
        20,
        title="Cảm biến độ ẩm đất giá rẻ cho vườn sầu riêng",
        abstract="Cảm biến độ ẩm đất giá dưới 500 000 đồng, pin dùng một mùa vụ, gửi dữ liệu qua LoRa.",
        pain="Tưới thừa làm thối rễ, tưới thiếu làm rụng trái.",
        affected="Các vườn sầu riêng liên kết với công ty.",
        workaround="Kiểm tra độ ẩm bằng tay mỗi sáng.",
        outcomes=[{"indicator": "Giá một cảm biến", "unit": "đồng", "target": 500000}],
        details="Sơ đồ vườn thí điểm và dữ liệu tưới năm 2025.",
        field_code="agriculture_environment",
        subfield_code="agri_crops_livestock",
        scope="sector",
        sector="Cây ăn quả",
        target_trl=6,
        budget_min=300_000_000,
        budget_max=800_000_000,
        funding_mode="enterprise_led",
        delivery_months=6,
        ip_terms="negotiable",
    )
    service.submit(session, enterprise, sensors)
    workflow.transition(session, sensors, "open", actor=coordinator)
    service.accept_nda(session, scientist, sensors)
    sketch = proposal_service.propose(
        session,
        scientist,
        sensors,
        _sketch(
            "Cảm biến điện dung in trên mạch dẻo.",
            cost=600_000_000,
            timeline="6 tháng",
            current_trl=5,
            confidential="Thiết kế điện cực.",
        ),
    )
    proposal_service.post_message(
        session, enterprise, sketch, MessageIn(body="Cảm biến chịu được ngập nước không?")
    )
    proposal_service.post_message(session, scientist, sketch, MessageIn(body="Có, đạt chuẩn IP67."))
    proposal_service.shortlist(session, enterprise, sketch)
    taken_back = proposal_service.propose(
        session,
        coauthor,
        sensors,
        _sketch("Cảm biến điện trở giá rẻ.", cost=300_000_000, current_trl=3),
    )
    proposal_service.withdraw(
        session,
        coauthor,
        taken_back,
        ProposalWithdrawIn(reason="Nhóm chuyển sang một dự án khác của viện."),
    )
    _views(session, sensors, 4)

    # Enterprise: waiting for moderation, and a draft.
    waiting = _problem(
        session,
        enterprise,
        40,
        title="Giảm thất thoát sau thu hoạch thanh long",
        abstract="Bảo quản thanh long xuất khẩu tươi 30 ngày không dùng hóa chất cấm.",
        scope="national",
        funding_mode="prize",
        budget_min=200_000_000,
        budget_max=200_000_000,
        ip_terms="solver",
    )
    service.submit(session, enterprise, waiting)
    draft = _problem(
        session,
        enterprise,
        60,
        title="Tự động phân loại sầu riêng theo độ chín",
        abstract="Bản nháp: máy phân loại sầu riêng theo độ chín bằng âm thanh gõ.",
        funding_mode="enterprise_led",
    )
    _file(session, enterprise, draft, "mau-am-thanh-go.pdf", "mau am thanh go sau rieng")
    session.flush()
