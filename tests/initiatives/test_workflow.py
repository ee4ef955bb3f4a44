"""The transition table, checked for every entry, every role and every state."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.initiatives import workflow
from app.initiatives.models import InitiativeEvent
from app.initiatives.workflow import TRANSITIONS, Status
from app.outbox import service as outbox
from app.outbox import topics
from app.outbox.models import OutboxEvent
from tests.initiatives import helpers

# Who the table promises each transition to, written out independently of the predicates.
EXPECTED_ROLES = {
    "submitter or co-author with edit right": {"submitter", "coauthor"},
    "coordinator": {"coordinator", "admin"},
    "submitter or coordinator": {"submitter", "coordinator", "admin"},
    "submitter": {"submitter"},
}
ROLES = ("anonymous", "submitter", "coauthor", "coordinator", "admin", "other", "reviewer")
TOPICS = (
    topics.INITIATIVE_TRANSITIONED,
    topics.INITIATIVE_PUBLISHED,
    topics.INITIATIVE_UNPUBLISHED,
)


def _recorder(session, payload, event):
    """Stands for a consumer: the worker is not run, the queued rows are inspected."""


@pytest.fixture
def topics_consumed():
    """Give every initiative topic a consumer so `enqueue` writes a row for it."""
    added = [t for t in TOPICS if _recorder not in outbox.handlers.get(t, {}).values()]
    for topic in added:
        outbox.handler(topic)(_recorder)
    yield
    name = f"{_recorder.__module__}.{_recorder.__qualname__}"
    for topic in added:
        outbox.handlers[topic].pop(name, None)


def _actor(cast, role):
    return None if role == "anonymous" else getattr(cast, role)


def _evidence(rule):
    """What the rule's official step vouches for (none for a move valid on its own)."""
    if rule.requires is None:
        return None
    return workflow.Evidence(rule.requires.via, submitted_reviews=3, minimum_reviews=3)


@pytest.mark.parametrize(
    "rule", list(TRANSITIONS.values()), ids=lambda r: f"{r.source}->{r.target}"
)
def test_each_transition_is_made_by_its_roles_and_refused_to_the_others(
    session, rule, topics_consumed
):
    cast = helpers.cast(session)
    allowed_roles = EXPECTED_ROLES[rule.who]
    for role in ROLES:
        item = helpers.initiative(
            session, cast.submitter, status=rule.source, coauthor=cast.coauthor
        )
        actor = _actor(cast, role)
        if role in allowed_roles:
            event = workflow.transition(
                session,
                item,
                rule.target,
                actor=actor,
                reason="Lý do cụ thể",
                evidence=_evidence(rule),
            )
            session.commit()
            assert (item.status, event.from_status, event.to_status, event.actor_id, event.seq) == (
                rule.target,
                rule.source,
                rule.target,
                actor.id,
                1,
            )
            queued = session.exec(
                select(OutboxEvent.topic, OutboxEvent.payload).where(
                    OutboxEvent.key.like(f"%:initiative:{item.id}")
                )
            ).all()
            assert sorted({t for t, _p in queued}) == sorted(rule.topics)  # a row per consumer
            assert dict(queued)[topics.INITIATIVE_TRANSITIONED] == {
                "initiative_id": item.id,
                "from": str(rule.source),
                "to": str(rule.target),
                "actor_id": actor.id,
                "reason": "Lý do cụ thể",
            }
        else:
            with pytest.raises(PermissionDenied):
                workflow.transition(
                    session,
                    item,
                    rule.target,
                    actor=actor,
                    reason="Lý do cụ thể",
                    evidence=_evidence(rule),
                )
            session.rollback()


@pytest.mark.parametrize(
    "rule",
    [r for r in TRANSITIONS.values() if r.reason_required],
    ids=lambda r: f"{r.source}->{r.target}",
)
def test_a_transition_that_needs_a_reason_is_refused_without_one(session, rule):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=rule.source)
    actor = cast.submitter if "submitter" in EXPECTED_ROLES[rule.who] else cast.coordinator
    with pytest.raises(ValidationFailed) as refused:
        workflow.transition(
            session, item, rule.target, actor=actor, reason="   ", evidence=_evidence(rule)
        )
    assert list(refused.value.errors) == ["reason"]


@pytest.mark.parametrize("source", list(Status))
def test_every_target_outside_the_table_is_refused_naming_what_is_allowed(session, source):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=source)
    allowed = [t for (s, t) in TRANSITIONS if s == source]
    for target in Status:
        if (source, target) in TRANSITIONS:
            continue
        with pytest.raises(InvalidTransition) as refused:
            workflow.transition(session, item, target, actor=cast.admin, reason="x")
        assert refused.value.status == 409
        assert refused.value.extra == {"allowed": [str(t) for t in allowed], "current": str(source)}
        session.rollback()


def test_an_unknown_target_is_an_invalid_transition_not_a_crash(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.submitted)
    with pytest.raises(InvalidTransition):
        workflow.transition(session, item, "approved", actor=cast.coordinator)


def test_history_entries_chain_and_publication_sets_the_date(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.selected)
    first = workflow.transition(
        session,
        item,
        Status.published,
        actor=cast.coordinator,
        evidence=workflow.Evidence(workflow.Via.publication),
    )
    second = workflow.transition(session, item, Status.commercialising, actor=cast.submitter)
    session.commit()
    events = session.exec(
        select(InitiativeEvent)
        .where(InitiativeEvent.initiative_id == item.id)
        .order_by(InitiativeEvent.seq)
    ).all()
    assert [(e.seq, e.to_status) for e in events] == [(1, "published"), (2, "commercialising")]
    assert second.prev_hash == first.hash
    assert item.published_at == first.created_at


# -- requirements: the stages nobody can skip ---------------------------------
REQUIRED_STEP = {
    (Status.screening, Status.in_review): "needs-review-round",
    (Status.in_review, Status.selected): "needs-decision",
    (Status.in_review, Status.rejected): "needs-decision",
    (Status.in_review, Status.returned_for_revision): "needs-decision",
    (Status.selected, Status.published): "needs-publication",
    (Status.unpublished, Status.published): "needs-publication",
}


def test_the_table_names_a_required_step_for_exactly_these_moves():
    assert {key: rule.requires.via for key, rule in TRANSITIONS.items() if rule.requires} == {
        key: {
            "needs-review-round": workflow.Via.review_round,
            "needs-decision": workflow.Via.decision,
            "needs-publication": workflow.Via.publication,
        }[code]
        for key, code in REQUIRED_STEP.items()
    }


@pytest.mark.parametrize("key", list(REQUIRED_STEP), ids=lambda k: f"{k[0]}->{k[1]}")
def test_a_move_without_its_step_is_refused_with_the_documented_code(session, key):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=key[0])
    wrong = next(v for v in workflow.Via if v != TRANSITIONS[key].requires.via)
    for evidence in (None, workflow.Evidence(wrong, submitted_reviews=9, minimum_reviews=1)):
        with pytest.raises(InvalidTransition) as refused:
            workflow.transition(
                session, item, key[1], actor=cast.admin, reason="x", evidence=evidence
            )
        assert (refused.value.status, refused.value.code) == (409, REQUIRED_STEP[key])
        session.rollback()
    assert session.get(type(item), item.id).status == key[0]
    assert session.exec(select(InitiativeEvent)).all() == []


@pytest.mark.parametrize("target", [Status.selected, Status.rejected])
def test_a_decision_with_too_few_reviews_needs_an_override_reason_which_history_keeps(
    session, target
):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.in_review)
    short = workflow.Evidence(workflow.Via.decision, submitted_reviews=1, minimum_reviews=3)
    with pytest.raises(InvalidTransition) as refused:
        workflow.transition(
            session, item, target, actor=cast.coordinator, reason="Tốt", evidence=short
        )
    assert refused.value.code == "too-few-reviews"
    assert list(refused.value.errors) == ["override_reason"]
    assert refused.value.extra == {"submitted_reviews": 1, "minimum_reviews": 3}
    session.rollback()
    override = workflow.Evidence(
        workflow.Via.decision,
        submitted_reviews=1,
        minimum_reviews=3,
        override_reason="Hai chuyên gia rút lui vì xung đột lợi ích",
    )
    event = workflow.transition(
        session, item, target, actor=cast.coordinator, reason="Tốt", evidence=override
    )
    session.commit()
    assert event.reason == (
        "Tốt\n\nQuyết định với 1 trên 3 đánh giá. "
        "Lý do quyết định ngoại lệ: Hai chuyên gia rút lui vì xung đột lợi ích"
    )
