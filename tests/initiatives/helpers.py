"""Arranging initiatives for tests: a cast of users and initiatives in any state."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.db import utcnow
from app.initiatives.models import CoAuthor, Field, Initiative
from tests import factories


@dataclass
class Cast:
    submitter: User
    coauthor: User
    coordinator: User
    admin: User
    other: User  # another submitter
    reviewer: User  # a reviewer no rule has admitted


def cast(session: Session) -> Cast:
    return Cast(
        submitter=factories.user(session, Role.submitter, full_name="Trần Thị Bình"),
        coauthor=factories.user(session, Role.submitter, full_name="Lê Văn Cường"),
        coordinator=factories.user(session, Role.coordinator, full_name="Phạm Điều Phối"),
        admin=factories.user(session, Role.admin, full_name="Quản Trị Viên"),
        other=factories.user(session, Role.submitter, full_name="Người Khác"),
        reviewer=factories.user(session, Role.reviewer, full_name="Chuyên Gia"),
    )


def seed_taxonomy(session: Session) -> None:
    """Put back the migration's seeded fields (the suite empties every table after each test)."""
    if session.exec(select(Field.id)).first() is not None:
        return
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0002_initiatives.py"
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for position, (code, name_vi, name_en, children) in enumerate(module.FIELDS, 1):
        parent = Field(code=code, name_vi=name_vi, name_en=name_en, position=position)
        session.add(parent)
        session.flush()
        session.add_all(
            Field(code=c, name_vi=vi, name_en=en, position=n, parent_id=parent.id)
            for n, (c, vi, en) in enumerate(children, 1)
        )
    session.commit()


def top_field(session: Session, code: str = "digital_technology") -> Field:
    seed_taxonomy(session)
    field = session.exec(select(Field).where(Field.code == code)).one()
    session.commit()  # end the read transaction: a SQLite snapshot would hide the app's later writes
    return field


CONTENT = {
    "title": "Hệ thống cảnh báo sớm sạt lở đất bằng cảm biến IoT",
    "summary": "Mạng cảm biến giá rẻ và mô hình học máy dự báo sạt lở cho các tỉnh miền núi.",
    "problem": "Sạt lở đất gây thiệt hại lớn về người và tài sản ở miền núi phía Bắc.",
    "solution": "Cảm biến độ ẩm và độ nghiêng đất truyền dữ liệu qua LoRa về máy chủ dự báo.",
    "novelty": "Kết hợp dữ liệu mưa vệ tinh với cảm biến mặt đất chi phí thấp.",
    "feasibility": "Đã thử nghiệm 12 tháng tại Lào Cai; lộ trình nhân rộng 3 năm.",
    "impact": "Giảm thiệt hại do thiên tai, có thể áp dụng cho 15 tỉnh.",
    "resources_wanted": ["partners", "investors"],
    "keywords": ["sạt lở", "IoT", "cảnh báo sớm"],
    "trl": 6,
    "province": "Lào Cai",
    "ip_status": "filed",
    "ip_number": "1-2025-01234",
}


def initiative(
    session: Session,
    submitter: User,
    *,
    status: str = "draft",
    coauthor: User | None = None,
    **fields,
) -> Initiative:
    """A complete initiative in `status` (the state is arranged, not reached through transitions)."""
    values = {**CONTENT, "field_id": top_field(session).id, **fields}
    item = Initiative(
        submitter_id=submitter.id,
        status=status,
        organisation_id=submitter.organisation_id,
        **values,
    )
    if status != "draft":
        item.submitted_at = utcnow()
    item.coauthors = [
        CoAuthor(
            user_id=submitter.id,
            full_name=submitter.full_name,
            email=submitter.email,
            share_percent=60 if coauthor else 100,
            is_submitter=True,
            position=0,
        )
    ]
    if coauthor:
        item.coauthors.append(
            CoAuthor(
                user_id=coauthor.id,
                full_name=coauthor.full_name,
                email=coauthor.email,
                share_percent=40,
                position=1,
            )
        )
    session.add(item)
    session.commit()
    return item


def stored_files() -> list[str]:
    """The files in upload storage (a refused upload must leave none)."""
    from app.config import get_settings

    uploads = get_settings().uploads_dir
    return sorted(str(p) for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
