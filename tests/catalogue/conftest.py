"""Published initiatives made through the real workflow, indexed by the real outbox worker.

`corpus` publishes a small catalogue whose words are chosen so that every
relevance case has one exact answer: no query word below has an unintended
neighbour one typo away, and `đường` / `dương` both fold to `duong`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, delete

from app.accounts.models import OrganisationType, Role, User
from app.catalogue.models import SynonymGroup
from app.initiatives.models import Field, Initiative
from app.initiatives.workflow import Status
from tests import factories, process

CONFIDENTIAL = "quytrinh zyxbimat kappa-seven"  # appears only in confidential sections


@dataclass
class People:
    submitter: User
    coordinator: User


@pytest.fixture
def people(session: Session) -> People:
    return People(
        factories.user(session, Role.submitter), factories.user(session, Role.coordinator)
    )


def field(session: Session, code: str, name: str) -> Field:
    row = Field(code=code, name_vi=name, name_en=f"{name} (en)")
    session.add(row)
    session.commit()
    return row


def publish(
    session: Session,
    people: People,
    *,
    title: str,
    summary: str,
    field: Field,
    province: str = "Hà Nội",
    org_type: OrganisationType = OrganisationType.university,
    trl: int = 5,
    ip_status: str = "none",
    year: int = 2024,
    month: int = 6,
    keywords: tuple[str, ...] = (),
    solution: str = "",
    novelty: str = "",
    feasibility: str = "",
    to: Status = Status.published,
) -> Initiative:
    """Register an initiative and walk it through the state machine to `to` (published by default).

    `published_at` is set to the 1st of `month` (June) of `year` beforehand (the workflow keeps an
    existing date), so facets by year and sorting by date have fixed answers.
    """
    org = factories.organisation(session, type=org_type, province=province)
    initiative = Initiative(
        submitter_id=people.submitter.id,
        organisation_id=org.id,
        field_id=field.id,
        title=title,
        summary=summary,
        problem=f"Vấn đề: {title.lower()}",
        impact="Tác động rộng.",
        solution=solution,
        novelty=novelty,
        feasibility=feasibility,
        keywords=list(keywords),
        trl=trl,
        province=province,
        ip_status=ip_status,
        published_at=datetime(year, month, 1, tzinfo=UTC),
    )
    session.add(initiative)
    session.flush()
    process.walk(
        session, initiative, to, submitter=people.submitter, coordinator=people.coordinator
    )
    session.commit()
    return initiative


@dataclass
class Corpus:
    ids: dict[str, int]
    people: People

    def id(self, key: str) -> int:
        return self.ids[key]

    def keys(self, ids: list[int]) -> list[str]:
        names = {v: k for k, v in self.ids.items()}
        return [names[i] for i in ids]


@pytest.fixture
def corpus(session: Session, people: People, worker) -> Corpus:
    # Start without synonyms whatever ran before (the migration seeds some; tests add their own).
    session.exec(delete(SynonymGroup))
    cnxd = field(session, "CNXD", "Công nghiệp và xây dựng")
    nnmt = field(session, "NNMT", "Nông nghiệp, tài nguyên và môi trường")
    gdyt = field(session, "GDYT", "Giáo dục, y tế, văn hoá và xã hội")
    cns = field(session, "CNS", "Công nghệ số chiến lược")
    U, E, R = (
        OrganisationType.university,
        OrganisationType.enterprise,
        OrganisationType.research_institute,
    )
    specs = {
        "solar": {
            "title": "Hệ thống năng lượng mặt trời cho trường học",
            "summary": "Pin quang năng lắp trên mái giúp giảm tiền điện.",
            "field": cnxd,
            "province": "Hà Nội",
            "org_type": U,
            "trl": 6,
            "ip_status": "granted",
            "year": 2023,
            "keywords": ("năng lượng mặt trời",),
            "solution": f"Cách lắp đặt: {CONFIDENTIAL}.",
            "novelty": f"Mới: {CONFIDENTIAL}",
            "feasibility": f"Lộ trình {CONFIDENTIAL}",
        },
        "grid": {
            "title": "Lưới điện thông minh cho khu công nghiệp",
            "summary": "Cân bằng phụ tải điện theo thời gian thực.",
            "field": cnxd,
            "province": "Đà Nẵng",
            "org_type": E,
            "trl": 7,
            "ip_status": "filed",
            "year": 2024,
            "month": 4,
        },
        "road": {
            "title": "Mặt đường bê tông tái chế",
            "summary": "Vật liệu mới kéo dài tuổi thọ.",
            "field": cnxd,
            "province": "Hà Nội",
            "org_type": E,
            "trl": 3,
            "ip_status": "none",
            "year": 2025,
            "month": 9,
        },
        "ocean": {
            "title": "Bản đồ số đại dương",
            "summary": "Dữ liệu viễn thám phục vụ quản lý biển.",
            "field": nnmt,
            "province": "Khánh Hòa",
            "org_type": R,
            "trl": 2,
            "ip_status": "none",
            "year": 2023,
            "month": 3,
        },
        "ai": {
            "title": "Chẩn đoán hình ảnh y khoa bằng trí tuệ nhân tạo",
            "summary": "Mô hình học sâu phát hiện tổn thương phổi.",
            "field": gdyt,
            "province": "Huế",
            "org_type": R,
            "trl": 5,
            "ip_status": "none",
            "year": 2024,
        },
        "iot": {
            "title": "Nhà kính kết nối internet vạn vật",
            "summary": "Cảm biến độ ẩm bật hệ thống tưới.",
            "field": nnmt,
            "province": "Sơn La",
            "org_type": E,
            "trl": 8,
            "ip_status": "filed",
            "year": 2025,
            "month": 7,
        },
        "chip": {
            "title": "Thiết kế vi mạch bán dẫn công suất thấp",
            "summary": "Quy trình thiết kế cho cảm biến.",
            "field": cns,
            "province": "Hà Nội",
            "org_type": U,
            "trl": 4,
            "ip_status": "granted",
            "year": 2025,
        },
    }
    ids = {key: publish(session, people, **spec).id for key, spec in specs.items()}
    # One initiative that is selected but never published: it must never be found.
    ids["unpublished"] = publish(
        session,
        people,
        title="Hệ thống năng lượng gió chưa công bố",
        summary="Tuabin gió.",
        field=cnxd,
        to=Status.selected,
    ).id
    worker.drain()
    return Corpus(ids, people)
