"""Outbox handlers: status callbacks to the partner that forwarded an initiative, and the
changes feed (one change per public event, numbered in commit order by `feed.record`;
archived weekly reports enter it from a periodic job)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler, periodic
from app.partners import callbacks, feed
from app.problems.workflow import PUBLIC_STATES as PROBLEM_PUBLIC_STATES
from app.publication.models import Certificate
from app.reports import weekly


@handler(topics.INITIATIVE_TRANSITIONED)
def on_transitioned(session: Session, payload: dict, event: OutboxEvent) -> None:
    callbacks.stage_changed(session, payload)


@handler(topics.INITIATIVE_PUBLISHED)
def on_published(session: Session, payload: dict, event: OutboxEvent) -> None:
    initiative_id = int(payload["initiative_id"])
    feed.record(session, feed.KIND_INITIATIVE, initiative_id, "published")
    certificate = session.exec(
        select(Certificate)
        .where(Certificate.initiative_id == initiative_id)
        .order_by(Certificate.id.desc())  # type: ignore[attr-defined]
    ).first()
    if certificate is not None:
        feed.record(session, feed.KIND_CERTIFICATE, certificate.id, "issued")


@handler(topics.INITIATIVE_UNPUBLISHED)
def on_unpublished(session: Session, payload: dict, event: OutboxEvent) -> None:
    feed.record(session, feed.KIND_INITIATIVE, int(payload["initiative_id"]), "unpublished")


@handler(topics.INITIATIVE_PUBLIC_UPDATED)
def on_public_updated(session: Session, payload: dict, event: OutboxEvent) -> None:
    feed.record(session, feed.KIND_INITIATIVE, int(payload["initiative_id"]), "updated")


@handler(topics.PROBLEM_TRANSITIONED)
def on_problem_transitioned(session: Session, payload: dict, event: OutboxEvent) -> None:
    """A problem entering, moving within or leaving the public stages."""
    if payload.get("from") in PROBLEM_PUBLIC_STATES or payload.get("to") in PROBLEM_PUBLIC_STATES:
        feed.record(session, feed.KIND_PROBLEM, int(payload["problem_id"]), str(payload["to"]))


@periodic("partners.statistics_snapshots", every_seconds=3600)
def statistics_snapshots(session: Session) -> None:
    """Each archived weekly report enters the changes feed once (its indicators as data)."""
    for report in weekly.archive_list(session):
        if report.id is not None:  # an archived row always has one (the reports model allows None)
            feed.record_once(session, feed.KIND_STATISTICS, report.id, "published")
