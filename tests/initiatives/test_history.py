"""The hash-chained history: verification, tampering detected and named (service, API, CLI)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.cli import main as portal
from app.initiatives import history, service, workflow
from app.initiatives.workflow import Status
from tests.conftest import api_token
from tests.initiatives import helpers


def _three_entries(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item)
    service.start_screening(session, cast.coordinator, item)
    service.reject(session, cast.coordinator, item, "Không phù hợp tiêu chí.")
    session.commit()
    return cast, item


def test_an_untouched_history_verifies(session):
    _cast, item = _three_entries(session)
    assert history.verify_chain(session, item.id) == (True, None)


@pytest.mark.parametrize(
    "column, value",
    [
        ("reason", "'Lý do đã bị sửa'"),
        ("to_status", "'selected'"),
        ("actor_id", "NULL"),
        ("fingerprint", "'00'"),
    ],
)
def test_changing_a_stored_entry_names_that_entry(session, column, value):
    _cast, item = _three_entries(session)
    session.execute(
        text(
            f"UPDATE initiative_event SET {column} = {value} WHERE initiative_id = :i AND seq = 3"
        ),
        {"i": item.id},
    )
    session.commit()
    assert history.verify_chain(session, item.id) == (False, 3)


def test_deleting_an_entry_names_the_first_entry_after_the_gap(session):
    _cast, item = _three_entries(session)
    session.execute(
        text("DELETE FROM initiative_event WHERE initiative_id = :i AND seq = 2"), {"i": item.id}
    )
    session.commit()
    assert history.verify_chain(session, item.id) == (False, 3)


def test_rehashing_a_changed_entry_still_breaks_the_next_one(session):
    _cast, item = _three_entries(session)
    first = history.events(session, item.id)[0]
    first.reason = "chèn thêm"
    first.hash = history.entry_hash(first.prev_hash, first)
    session.commit()
    assert history.verify_chain(session, item.id) == (False, 2)


def test_the_api_names_the_broken_entry(client, session):
    cast, item = _three_entries(session)
    session.execute(
        text("UPDATE initiative_event SET reason = 'x' WHERE initiative_id = :i AND seq = 2"),
        {"i": item.id},
    )
    session.commit()
    response = client.get(
        f"/api/v1/initiatives/{item.id}/history/verify",
        headers=api_token(client, cast.submitter.email),
    )
    assert response.json() == {"ok": False, "first_broken_seq": 2, "entries": 3}


def test_the_command_names_the_broken_entry_and_fails(app, session, capsys):
    _cast, item = _three_entries(session)
    other = helpers.initiative(session, _cast.submitter, status=Status.selected)
    workflow.transition(
        session,
        other,
        Status.published,
        actor=_cast.coordinator,
        evidence=workflow.Evidence(workflow.Via.publication),
    )
    session.execute(
        text(
            "UPDATE initiative_event SET to_status = 'published' WHERE initiative_id = :i AND seq = 1"
        ),
        {"i": item.id},
    )
    session.commit()
    with pytest.raises(SystemExit) as exited:
        portal(["verify-history"])
    assert exited.value.code == 1
    assert capsys.readouterr().out.splitlines() == [
        f"initiative {item.id}: BROKEN at entry 1",
        f"initiative {other.id}: ok (1 entries)",
        "2 checked, 1 broken",
    ]
    portal(["verify-history", "--initiative", str(other.id)])
    assert capsys.readouterr().out.splitlines()[-1] == "1 checked, 0 broken"
