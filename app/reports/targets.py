"""Stage targets in force: each passage is measured against the target in force when it began."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.db import UTCDateTime
from app.reports.models import StageTarget

TargetHistory = dict[str, list[StageTarget]]


def target_history(session: Session) -> TargetHistory:
    """Every stage's targets, oldest first."""
    found: TargetHistory = defaultdict(list)
    for t in session.exec(
        select(StageTarget).order_by(col(StageTarget.stage), col(StageTarget.valid_from))
    ):
        found[t.stage].append(t)
    return found


def target_at(history: TargetHistory, stage: str, moment: datetime) -> StageTarget | None:
    """The target in force at `moment` (None before the stage's first target)."""
    found = None
    for t in history.get(stage, ()):
        if t.valid_from > moment:
            break
        found = t
    return found


def current_targets(history: TargetHistory, moment: datetime) -> dict[str, StageTarget]:
    return {s: t for s in history if (t := target_at(history, s, moment)) is not None}


def target_spans() -> Any:
    """Each target with the moment the next one of its stage took over (None: still in force)."""
    valid_to = func.lead(col(StageTarget.valid_from), type_=UTCDateTime()).over(
        partition_by=col(StageTarget.stage), order_by=col(StageTarget.valid_from)
    )
    return sa_select(
        col(StageTarget.id).label("id"),
        col(StageTarget.stage).label("stage"),
        col(StageTarget.valid_from).label("valid_from"),
        valid_to.label("valid_to"),
    ).subquery("target_spans")
