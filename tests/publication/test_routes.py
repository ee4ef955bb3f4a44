"""The publication desk on the web: who may open it, proposing a summary, publishing, answering."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.models import User
from app.publication.models import Certificate, SummaryProposal
from tests.conftest import csrf_of, web_login
from tests.reviews import helpers as h


@pytest.fixture
def selected(session):
    boss = h.coordinator(session)
    item = h.initiatives.initiative(session, h.factories.user(session), status="selected")
    return boss, item


def _post(client, path: str, data: dict, page: str):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_desk_is_for_coordinators_and_refuses_unknown_initiatives(client, session, selected):
    boss, item = selected
    web_login(client, session.get(User, item.submitter_id).email)
    assert client.get(f"/publication/initiatives/{item.id}").status_code == 403
    web_login(client, boss.email)
    assert client.get(f"/publication/initiatives/{item.id}").status_code == 200
    assert client.get("/publication/initiatives/999999").status_code == 404


def test_a_proposal_with_an_empty_summary_is_shown_again_and_nothing_is_saved(
    client, session, selected
):
    boss, item = selected
    web_login(client, boss.email)
    desk = f"/publication/initiatives/{item.id}"
    answer = _post(client, f"{desk}/proposals", {"summary": "", "note": "Ghi chú"}, desk)
    assert answer.status_code == 400
    assert "Ghi chú" in answer.text
    assert session.exec(select(SummaryProposal)).all() == []


def test_a_proposal_then_the_submitters_answer_then_publishing(client, session, selected):
    boss, item = selected
    web_login(client, boss.email)
    desk = f"/publication/initiatives/{item.id}"
    summary = "Tóm tắt đã biên tập cho công chúng đọc."
    answer = _post(client, f"{desk}/proposals", {"summary": summary}, desk)
    assert (answer.status_code, answer.headers["location"]) == (303, desk)
    (proposal,) = session.exec(select(SummaryProposal)).all()

    web_login(client, session.get(User, item.submitter_id).email)
    page = f"/publication/proposals/{proposal.id}"
    assert client.get(page).status_code == 200
    answer = _post(client, page, {"answer": "accept"}, page)
    assert (answer.status_code, answer.headers["location"]) == (303, page)
    assert client.get("/publication/proposals/999999").status_code == 404

    web_login(client, boss.email)
    refused = _post(client, f"{desk}/publish", {}, desk)
    assert refused.status_code == 400  # publishing is irreversible: it must be confirmed
    assert session.exec(select(Certificate)).all() == []
    answer = _post(client, f"{desk}/publish", {"confirm": "yes"}, desk)
    (certificate,) = session.exec(select(Certificate)).all()
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/certificates/{certificate.number}",
    )
    session.refresh(item)
    assert (item.status, item.summary) == ("published", summary)


def test_only_the_submitter_answers_a_proposal(client, session, selected):
    boss, item = selected
    web_login(client, boss.email)
    desk = f"/publication/initiatives/{item.id}"
    _post(client, f"{desk}/proposals", {"summary": "Tóm tắt khác cho công chúng."}, desk)
    (proposal,) = session.exec(select(SummaryProposal)).all()
    assert client.get(f"/publication/proposals/{proposal.id}").status_code == 403
