"""Demo initiatives, walked through the real process by the domain services.

Eleven initiatives end in every stage a visitor should see: published ones (with
certificates, searchable), one selected and awaiting publication, one in
review, one in screening, one submitted and one draft. The review round has
real scores from two reviewers per initiative.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.accounts.models import Organisation, User
from app.db import utcnow
from app.initiatives import service as initiatives
from app.initiatives.models import Field, Initiative
from app.initiatives.schemas import DraftIn
from app.publication import service as publication
from app.reviews import decisions, invitations, reviewing
from app.reviews import service as reviews
from app.reviews.schemas import ReviewIn, RoundIn, ScoreIn

# title, summary, subfield code, province, TRL, keywords, final stage, score base
SAMPLES = [
    (
        "Hệ thống điện mặt trời áp mái kết hợp lưu trữ cho hộ gia đình",
        "Bộ biến tần và pin lưu trữ giá rẻ giúp hộ gia đình tự dùng điện mặt trời, giảm tải lưới điện giờ cao điểm.",
        "industry_energy",
        "Đà Nẵng",
        7,
        ["điện mặt trời", "năng lượng tái tạo", "lưu trữ điện"],
        "published",
        8.5,
    ),
    (
        "Cảnh báo sớm sạt lở đất bằng mạng cảm biến IoT",
        "Mạng cảm biến độ ẩm và độ nghiêng đất chi phí thấp, kết hợp dữ liệu mưa vệ tinh để cảnh báo sạt lở cho vùng núi.",
        "digital_iot_blockchain",
        "Lào Cai",
        6,
        ["IoT", "sạt lở", "cảnh báo sớm"],
        "published",
        8.0,
    ),
    (
        "Trí tuệ nhân tạo chẩn đoán bệnh lúa qua ảnh điện thoại",
        "Ứng dụng di động nhận dạng 12 loại bệnh lúa từ ảnh chụp lá và gợi ý cách xử lý cho nông dân.",
        "digital_ai",
        "Cần Thơ",
        7,
        ["trí tuệ nhân tạo", "nông nghiệp thông minh", "bệnh lúa"],
        "published",
        7.5,
    ),
    (
        "Nền tảng logistics lạnh cho nông sản xuất khẩu",
        "Kết nối kho lạnh, xe lạnh và chủ hàng theo thời gian thực, giảm hao hụt trái cây xuất khẩu.",
        "transport_logistics_supply",
        "TP. Hồ Chí Minh",
        8,
        ["logistics", "chuỗi lạnh", "nông sản"],
        "published",
        7.0,
    ),
    (
        "Gạch không nung từ tro xỉ nhiệt điện",
        "Quy trình sản xuất gạch không nung dùng tro xỉ của nhà máy nhiệt điện, giảm bãi thải và khí thải.",
        "industry_materials",
        "Quảng Ninh",
        8,
        ["vật liệu xây dựng", "tro xỉ", "kinh tế tuần hoàn"],
        "published",
        6.5,
    ),
    (  # close in meaning to the first, which the demo enterprise viewed: "Gợi ý cho bạn"
        "Trạm bơm tưới dùng điện mặt trời và pin lưu trữ cho vùng nông thôn",
        "Tấm pin mặt trời và bộ lưu trữ điện vận hành máy bơm tưới tiêu, không cần kéo lưới điện tới cánh đồng.",
        "industry_energy",
        "An Giang",
        6,
        ["điện mặt trời", "bơm tưới", "pin lưu trữ"],
        "published",
        7.2,
    ),
    (
        "Lưới điện thông minh điều phối năng lượng tái tạo cho khu công nghiệp",
        "Phần mềm điều phối nguồn điện mặt trời, gió và pin lưu trữ cho khu công nghiệp theo giá điện từng giờ.",
        "industry_energy",
        "Đà Nẵng",
        5,
        ["lưới điện thông minh", "năng lượng tái tạo"],
        "selected",
        7.8,
    ),
    (
        "Ứng dụng học tiếng dân tộc thiểu số trên điện thoại",
        "Bài học song ngữ có âm thanh cho tiếng Thái, Mông và Dao, dùng được khi không có mạng.",
        "society_education",
        "Lai Châu",
        6,
        ["giáo dục", "ngôn ngữ dân tộc"],
        "in_review",
        None,
    ),
    (
        "Chip cảm biến đo chất lượng nước ao nuôi tôm",
        "Vi mạch đo oxy hòa tan, pH và độ mặn gửi dữ liệu về điện thoại người nuôi tôm.",
        "digital_semiconductors",
        "Cà Mau",
        4,
        ["bán dẫn", "nuôi tôm", "cảm biến"],
        "screening",
        None,
    ),
    (
        "Thanh toán số cho chợ truyền thống",
        "Mã QR và sổ bán hàng điện tử cho tiểu thương chợ truyền thống, đối soát cuối ngày tự động.",
        "finance_banking",
        "Hà Nội",
        7,
        ["thanh toán số", "chợ truyền thống"],
        "submitted",
        None,
    ),
    (
        "Bản đồ số di sản văn hóa Huế",
        "Bản đồ 3D và thuyết minh đa ngôn ngữ cho các di tích ở Huế.",
        "society_culture_tourism",
        "Huế",
        3,
        ["di sản", "du lịch số"],
        "draft",
        None,
    ),
]


def _draft(session: Session, submitter: User, org: Organisation, sample: tuple) -> Initiative:
    title, summary, subfield_code, province, trl, keywords, _stage, _score = sample
    subfield = session.exec(select(Field).where(Field.code == subfield_code)).one()
    return initiatives.create_draft(
        session,
        submitter,
        DraftIn(
            title=title,
            summary=summary,
            problem=f"Vấn đề thực tiễn mà sáng kiến “{title}” giải quyết tại {province}.",
            solution=f"Giải pháp kỹ thuật chi tiết (bảo mật) của sáng kiến “{title}”.",
            novelty="Kết hợp công nghệ trong nước với chi phí thấp, phù hợp điều kiện Việt Nam.",
            feasibility="Đã thử nghiệm thực địa; lộ trình triển khai 24 tháng với ba giai đoạn.",
            impact="Giảm chi phí, tạo việc làm và có thể nhân rộng ra nhiều tỉnh.",
            field_id=subfield.parent_id,
            subfield_id=subfield.id,
            keywords=keywords,
            trl=trl,
            province=province,
            ip_status="none",
            resources_wanted=["partners", "investors"],
            organisation_id=org.id,
            submitter_share=100,
        ),
    )


def _review(session: Session, reviewer: User, assignment, base: float, offset: float) -> None:
    invitations.accept(session, reviewer, assignment)
    invitations.accept_confidentiality(session, reviewer, assignment)
    scores = [
        ScoreIn(
            criterion=code,
            score=min(10.0, max(0.0, base + offset + delta)),
            justification="Đánh giá dựa trên hồ sơ và kết quả thử nghiệm.",
        )
        for code, delta in (
            ("novelty", 0.5),
            ("breakthrough", 0.0),
            ("feasibility", -0.5),
            ("impact", 0.5),
            ("resources", -0.5),
        )
    ]
    reviewing.save(
        session,
        reviewer,
        assignment,
        ReviewIn(
            scores=scores,
            recommendation="select" if base >= 7 else "revise",
            comments_for_submitter="Hồ sơ rõ ràng; nên bổ sung số liệu thử nghiệm.",
            confidential_comments="Nhóm tác giả có năng lực triển khai.",
        ),
        submit=True,
    )


def load(session: Session, users: dict[str, User], orgs: list[Organisation]) -> None:
    if session.exec(select(Initiative).limit(1)).first() is not None:
        return
    submitter, coordinator = users["nhakhoahoc@sangkien.local"], users["dieuphoi@sangkien.local"]
    drafts = [_draft(session, submitter, orgs[0], sample) for sample in SAMPLES]
    session.flush()
    for initiative, sample in zip(drafts, SAMPLES, strict=True):
        if sample[6] != "draft":
            initiatives.submit(session, submitter, initiative, confirm_similar=True)
        if sample[6] not in ("draft", "submitted"):
            initiatives.start_screening(session, coordinator, initiative)

    reviewed = [
        (i, s)
        for i, s in zip(drafts, SAMPLES, strict=True)
        if s[6] in ("published", "selected", "in_review")
    ]
    round = reviews.open_round(
        session,
        coordinator,
        RoundIn(
            name="Đợt đánh giá sáng kiến đột phá 2026",
            due_at=utcnow() + timedelta(days=14),
            reviews_wanted=2,
            blind=True,
            max_load=10,
            initiative_ids=[i.id for i, _s in reviewed],
        ),
    )
    reviews.auto_assign(session, coordinator, round)
    for initiative, sample in reviewed:
        base = sample[7]
        if base is None:
            continue
        for offset, assignment in zip(
            (0.3, -0.4), reviews.assignments_for(session, round, initiative.id), strict=False
        ):
            _review(
                session, session.get_one(User, assignment.reviewer_id), assignment, base, offset
            )
        decisions.decide(
            session,
            coordinator,
            round,
            initiative,
            "select",
            "Điểm đánh giá cao, đáp ứng tiêu chí sáng kiến đột phá.",
        )
        if sample[6] == "published":
            publication.publish(session, coordinator, initiative)
