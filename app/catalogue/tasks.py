"""Outbox handlers that keep the search index equal to the database.

Each handler re-reads the initiative and upserts its CURRENT document (or
deletes it when it is no longer published), so a duplicate or late delivery
changes nothing. Engine errors propagate: the outbox records the attempt and
retries with backoff, in order per initiative (the events' key), so the index
catches up once the engine is back and publication itself never waits for it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.catalogue import indexing, problem_index
from app.initiatives.workflow import (
    PUBLISHED_STATES,
)
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.outbox.service import handler


def _within_publication(payload: dict[str, Any]) -> bool:
    """Of the plain transitions only moves within publication (published →
    commercialising) matter to the index: they have no topic of their own but change the
    document's version. A submission or a review step queues nothing for it."""
    return payload.get("from") in PUBLISHED_STATES and payload.get("to") in PUBLISHED_STATES


@handler(topics.INITIATIVE_PUBLISHED)
@handler(topics.INITIATIVE_PUBLIC_UPDATED)
@handler(topics.INITIATIVE_UNPUBLISHED)
@handler(topics.INITIATIVE_TRANSITIONED, when=_within_publication)
def sync_index(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Published, edited or unpublished: the index takes the initiative's current state.

    One function for every topic, so all of an initiative's index updates share
    one ordering key.
    """
    indexing.sync(session, int(payload["initiative_id"]))


@handler(topics.CATALOGUE_SYNONYMS_CHANGED)
def push_synonyms(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """A coordinator changed the synonym list: the engine takes the current list."""
    indexing.apply_synonyms(session)


@handler(topics.PROBLEM_TRANSITIONED)
def sync_problem_index(session: Session, payload: dict[str, Any], event: OutboxEvent) -> None:
    """Every transition of a problem: opened, awarded, closed, unpublished … the problems'
    index takes its current state (open and awarded problems are in it, others are not)."""
    indexing.sync(session, int(payload["problem_id"]), problem_index.PROBLEMS)
