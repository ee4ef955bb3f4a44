"""A constructed data set with known figures: five initiatives whose histories are set by hand.

All times are Vietnam time (UTC+7). "Now" is Wednesday 2026-02-25 10:00; the
week started Monday 2026-02-23. Tết 2026 (16–20 February, seeded by the
migration) and weekends are not working days.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.accounts.models import OrganisationType, Role, User
from app.i18n import TIMEZONE
from app.initiatives import history
from app.initiatives.models import Initiative, InitiativeVersion
from app.reports.models import StageTarget
from tests import factories
from tests.initiatives.helpers import CONTENT, top_field


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


NOW = vn(2026, 2, 25, 10)
CONFIDENTIAL_MARKER = "MẬT-KHÔNG-ĐƯỢC-LỘ"


@dataclass
class Dataset:
    submitter: User
    coordinator: User
    admin: User
    initiatives: dict[str, Initiative]


def add_initiative(
    session: Session,
    submitter: User,
    code: str,
    steps: list[tuple[str, datetime]],
    **fields: object,
) -> Initiative:
    """An initiative whose history is `steps` (status, time), starting from a draft."""
    values = {**CONTENT, **fields}
    item = Initiative(submitter_id=submitter.id, receipt_code=code, **values)  # type: ignore[arg-type]
    item.solution = f"{CONFIDENTIAL_MARKER} giải pháp"
    item.novelty = f"{CONFIDENTIAL_MARKER} điểm mới"
    session.add(item)
    session.flush()
    assert item.id is not None
    if steps:  # the submitted content, as submission records it (append-only)
        session.add(
            InitiativeVersion(
                initiative_id=item.id,
                number=1,
                content={"title": item.title},
                fingerprint=hashlib.sha256(f"{code}{item.title}".encode()).hexdigest(),
                created_at=steps[0][1],
            )
        )
    previous = "draft"
    for status, at in steps:
        history.append(
            session,
            initiative_id=item.id,
            actor_id=None,
            from_status=previous,
            to_status=status,
            reason=None,
            fingerprint=None,
            at=at,
        )
        previous = status
    item.status = previous
    if steps:
        item.submitted_at = steps[0][1]
        item.stage_entered_at = steps[-1][1]
    published = [at for status, at in steps if status == "published"]
    if published:
        item.published_at = published[0]
    session.add(item)
    session.commit()
    return item


def set_targets(session: Session) -> None:
    session.add_all(
        [
            StageTarget(
                valid_from=vn(2026, 1, 1, 0),
                stage="submitted",
                working_days=2,
                unit_vi="Văn phòng tiếp nhận",
                unit_en="Reception office",
            ),
            StageTarget(
                valid_from=vn(2026, 1, 1, 0),
                stage="screening",
                working_days=3,
                unit_vi="Phòng Sàng lọc",
                unit_en="Screening office",
            ),
            StageTarget(
                valid_from=vn(2026, 1, 1, 0),
                stage="in_review",
                working_days=10,
                unit_vi="Hội đồng chuyên gia",
                unit_en="Expert council",
            ),
        ]
    )
    session.commit()


def build(session: Session) -> Dataset:
    digital = top_field(session)
    other = top_field(session, "agriculture_environment")
    university = factories.organisation(session, "Đại học Bách khoa Hà Nội")
    enterprise = factories.organisation(
        session, "Công ty Cổ phần Nông Nghiệp Xanh", type=OrganisationType.enterprise
    )
    submitter = factories.user(session, Role.submitter, full_name="Trần Thị Bình")
    coordinator = factories.user(session, Role.coordinator, full_name="Phạm Điều Phối")
    admin = factories.user(session, Role.admin, full_name="Quản Trị Viên")
    set_targets(session)
    d, a = digital.id, other.id
    items = {
        "I1": add_initiative(
            session,
            submitter,
            "SK-2026-000001",
            [
                ("submitted", vn(2026, 1, 5)),
                ("screening", vn(2026, 1, 6)),
                ("in_review", vn(2026, 1, 8)),
                ("selected", vn(2026, 1, 20)),
                ("published", vn(2026, 1, 22)),
            ],
            field_id=d,
            province="Hà Nội",
            organisation_id=university.id,
            title="Bản đồ số đất trồng lúa",
        ),
        "I2": add_initiative(
            session,
            submitter,
            "SK-2026-000002",
            [
                ("submitted", vn(2026, 2, 5)),
                ("screening", vn(2026, 2, 6)),
                ("rejected", vn(2026, 2, 12)),
            ],
            field_id=d,
            province="Huế",
            organisation_id=enterprise.id,
            title="Máy sấy nông sản dùng năng lượng mặt trời",
        ),
        "I3": add_initiative(
            session,
            submitter,
            "SK-2026-000003",
            [
                ("submitted", vn(2026, 2, 11)),
                ("screening", vn(2026, 2, 12)),
                ("in_review", vn(2026, 2, 23)),
            ],
            field_id=a,
            province="Hà Nội",
            organisation_id=university.id,
        ),
        "I4": add_initiative(
            session,
            submitter,
            "SK-2026-000004",
            [("submitted", vn(2026, 2, 12, 8)), ("screening", vn(2026, 2, 12, 10))],
            field_id=a,
            province="Hà Nội",
            organisation_id=None,
        ),
        "I5": add_initiative(
            session,
            submitter,
            "SK-2026-000005",
            [("submitted", vn(2026, 2, 24))],
            field_id=d,
            province="Huế",
            organisation_id=university.id,
        ),
        "draft": add_initiative(session, submitter, None, [], field_id=d, province="Huế"),  # type: ignore[arg-type]
    }
    return Dataset(submitter, coordinator, admin, items)
