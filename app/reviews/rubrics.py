"""Rubrics: create, change while unused, and version once in use.

A rubric is *in use* as soon as one submitted review scored against it: from
then on its criteria, weights and scales are frozen (a change would silently
alter totals already submitted), and a coordinator makes a new version
instead. Renaming stays possible.
"""

from __future__ import annotations

from sqlalchemy import exists
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import _
from app.reviews.models import (
    Assignment,
    Criterion,
    Review,
    ReviewRound,
    ReviewStatus,
    Rubric,
)
from app.reviews.schemas import CriterionIn
from app.reviews.scoring import CriterionSpec

# Kept equal to the frozen copy seeded by migration 0003 (tests/reviews/test_rubrics.py checks it).
DEFAULT_NAME = "Sáng kiến đột phá (Nghị quyết 57)"
DEFAULT_DESCRIPTION = "Năm tiêu chí đã công bố để đánh giá sáng kiến đột phá, trọng số bằng nhau."
DEFAULT_CRITERIA = [
    (
        "novelty",
        "Tính mới và sáng tạo",
        "Novelty and creativity",
        "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo.",
    ),
    (
        "breakthrough",
        "Tính đột phá, tháo gỡ điểm nghẽn",
        "Breakthrough: removes a bottleneck",
        "Giải quyết được điểm nghẽn, nút thắt cụ thể của ngành, lĩnh vực hoặc địa phương.",
    ),
    (
        "feasibility",
        "Tính khả thi, có lộ trình thực hiện",
        "Feasibility with a roadmap",
        "Có lộ trình, nguồn lực và điều kiện thực hiện rõ ràng, khả thi.",
    ),
    (
        "impact",
        "Tác động và khả năng lan tỏa",
        "Impact and spillover",
        "Hiệu quả kinh tế – xã hội dự kiến và khả năng nhân rộng, lan tỏa.",
    ),
    (
        "resources",
        "Khả năng huy động nguồn lực",
        "Ability to mobilise resources",
        "Khả năng huy động vốn, nhân lực, hợp tác công – tư để triển khai.",
    ),
]

# The English descriptions of DEFAULT_CRITERIA (faithful translations of the Vietnamese ones),
# kept equal to the frozen copy migration 0025 fills in (tests/reviews/test_rubrics.py checks it).
DEFAULT_DESCRIPTIONS_EN = {
    "novelty": "How new the idea or solution is compared with what already exists; "
    "the degree of creativity.",
    "breakthrough": "Resolves a specific bottleneck or sticking point of a sector, a field "
    "or a locality.",
    "feasibility": "Has a clear, feasible roadmap, resources and conditions for implementation.",
    "impact": "The expected socio-economic benefits and the potential to be replicated and spread.",
    "resources": "Ability to mobilise capital, people and public–private cooperation "
    "for implementation.",
}


def specs(rubric: Rubric) -> list[CriterionSpec]:
    return [CriterionSpec(c.code, c.weight, c.scale_min, c.scale_max) for c in rubric.criteria]


def default_rubric(session: Session) -> Rubric:
    """The seeded rubric for breakthrough initiatives (re-created if an empty database lacks it)."""
    rubric = session.exec(
        select(Rubric).where(col(Rubric.is_default).is_(True)).order_by(col(Rubric.id))
    ).first()
    if rubric is None:
        rubric = Rubric(name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION, is_default=True)
        rubric.criteria = [
            Criterion(
                code=code,
                name_vi=vi,
                name_en=en,
                description_vi=text,
                description_en=DEFAULT_DESCRIPTIONS_EN[code],
                weight=1.0,
                position=k,
            )
            for k, (code, vi, en, text) in enumerate(DEFAULT_CRITERIA)
        ]
        session.add(rubric)
        session.flush()
    return rubric


def list_rubrics(session: Session) -> list[Rubric]:
    default_rubric(session)
    return list(session.exec(select(Rubric).order_by(col(Rubric.name), col(Rubric.version))))


def get(session: Session, rubric_id: int) -> Rubric:
    rubric = session.get(Rubric, rubric_id)
    if rubric is None:
        raise NotFound(_("No such rubric."))
    return rubric


def in_use(session: Session, rubric: Rubric) -> bool:
    """True once any submitted review of a round using this rubric exists."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    col(Review.status) == ReviewStatus.submitted,
                    col(Review.assignment_id) == col(Assignment.id),
                    col(Assignment.round_id) == col(ReviewRound.id),
                    col(ReviewRound.rubric_id) == rubric.id,
                )
            )
        )
    )


def _check_criteria(criteria: list[CriterionIn]) -> None:
    errors: dict[str, str] = {}
    codes = [c.code for c in criteria]
    if not criteria:
        errors["criteria"] = _("Add at least one criterion.")
    elif len(set(codes)) != len(codes):
        errors["criteria"] = _("Each criterion needs its own code.")
    for k, c in enumerate(criteria):
        if c.scale_max <= c.scale_min:
            errors[f"criteria.{k}.scale_max"] = _("The top of the scale must be above its bottom.")
    if criteria and sum(c.weight for c in criteria) <= 0:
        errors["criteria"] = _("The weights must add up to more than zero.")
    if errors:
        raise ValidationFailed(_("Please correct the criteria."), errors=errors)


def _criteria_rows(criteria: list[CriterionIn]) -> list[Criterion]:
    return [
        Criterion(
            code=c.code,
            name_vi=c.name_vi,
            name_en=c.name_en or c.name_vi,
            description_vi=c.description_vi,
            description_en=c.description_en or c.description_vi,
            weight=c.weight,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            position=k,
        )
        for k, c in enumerate(criteria)
    ]


def create_rubric(
    session: Session,
    actor: User,
    *,
    name: str,
    criteria: list[CriterionIn],
    description: str = "",
    field_id: int | None = None,
) -> Rubric:
    _check_criteria(criteria)
    rubric = Rubric(name=name, description=description, field_id=field_id, created_by_id=actor.id)
    rubric.criteria = _criteria_rows(criteria)
    session.add(rubric)
    session.flush()
    return rubric


def _same_scoring(rubric: Rubric, criteria: list[CriterionIn]) -> bool:
    old = [(c.code, c.weight, c.scale_min, c.scale_max) for c in rubric.criteria]
    return old == [(c.code, c.weight, c.scale_min, c.scale_max) for c in criteria]


def update_rubric(
    session: Session,
    actor: User,
    rubric: Rubric,
    *,
    name: str,
    criteria: list[CriterionIn],
    description: str = "",
    field_id: int | None = None,
) -> Rubric:
    """Change a rubric; refused (409) if it is in use and the scoring would change."""
    _check_criteria(criteria)
    if not _same_scoring(rubric, criteria) and in_use(session, rubric):
        raise Conflict(
            _(
                "Submitted scores use this rubric: its criteria, weights and scales can no longer "
                "change. Create a new version instead."
            ),
            code="rubric-in-use",
        )
    rubric.name, rubric.description, rubric.field_id = name, description, field_id
    by_code = {c.code: c for c in rubric.criteria}
    rows = []
    for k, c in enumerate(criteria):
        row = by_code.pop(c.code, None) or Criterion(
            code=c.code, name_vi=c.name_vi, name_en=c.name_en
        )
        row.name_vi, row.name_en = c.name_vi, c.name_en or c.name_vi
        row.description_vi, row.description_en = (
            c.description_vi,
            c.description_en or c.description_vi,
        )
        row.weight, row.scale_min, row.scale_max, row.position = (
            c.weight,
            c.scale_min,
            c.scale_max,
            k,
        )
        rows.append(row)
    rubric.criteria = rows  # criteria no longer listed are removed (only possible while unused)
    session.add(rubric)
    session.flush()
    return rubric


def new_version(session: Session, actor: User, rubric: Rubric) -> Rubric:
    """A copy with version + 1 that can be changed freely; the old version stays as it was."""
    copy = Rubric(
        name=rubric.name,
        version=rubric.version + 1,
        previous_id=rubric.id,
        field_id=rubric.field_id,
        description=rubric.description,
        created_by_id=actor.id,
    )
    copy.criteria = [
        Criterion(
            code=c.code,
            name_vi=c.name_vi,
            name_en=c.name_en,
            description_vi=c.description_vi,
            description_en=c.description_en,
            weight=c.weight,
            scale_min=c.scale_min,
            scale_max=c.scale_max,
            position=c.position,
        )
        for c in rubric.criteria
    ]
    session.add(copy)
    session.flush()
    return copy
