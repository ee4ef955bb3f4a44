"""Reviewers see what they judge before the conflict declaration; the scoring form speaks Vietnamese
numbers and names each criterion that lacks a justification (issue 10 §3)."""

from __future__ import annotations

from app.accounts.models import OrganisationType
from app.reviews import reviewing, service
from tests import factories
from tests.conftest import csrf_of, web_login
from tests.reviews import helpers as h


def _invited(session, *, blind: bool):
    boss, person = h.coordinator(session), h.reviewer(session)
    org = factories.organisation(
        session, "Viện Cơ khí Thử nghiệm", type=OrganisationType.research_institute
    )
    author = factories.user(session, full_name="Trần Thị Bình", organisation_id=org.id)
    item = h.screened(session, author)
    round = h.open_round(session, boss, [item], blind=blind)
    row = service.assign(session, boss, round, item, person)
    session.commit()
    return person, item, row


def test_a_blind_invitation_shows_title_summary_field_and_organisation_type_only(client, session):
    person, item, row = _invited(session, blind=True)
    web_login(client, person.email)
    page = client.get(f"/reviews/assignments/{row.id}").text
    assert item.title in page and item.summary in page
    assert "Viện nghiên cứu" in page  # the type of organisation
    assert "Viện Cơ khí Thử nghiệm" not in page and "Trần Thị Bình" not in page
    assert item.solution not in page
    assert item.title in client.get("/reviews").text


def test_an_open_round_invitation_also_names_the_submitter_and_organisation(client, session):
    person, item, row = _invited(session, blind=False)
    web_login(client, person.email)
    page = client.get(f"/reviews/assignments/{row.id}").text
    assert "Viện Cơ khí Thử nghiệm" in page and "Trần Thị Bình" in page
    assert item.solution not in page


def test_a_score_typed_with_a_comma_is_a_decimal_and_missing_justifications_are_named(
    client, session
):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    row = h.cleared(session, round, item, person, boss)
    web_login(client, person.email)
    form = client.get(f"/reviews/assignments/{row.id}/review")
    data = {"csrf_token": csrf_of(form.text), "action": "submit", "recommendation": "select"}
    for code in h.CODES:
        data[f"score_{code}"] = "7,5"
    data["justification_novelty"] = "Mới so với giải pháp hiện có."
    refused = client.post(f"/reviews/assignments/{row.id}/review", data=data)
    assert refused.status_code == 400
    for name in ("Tính đột phá, tháo gỡ điểm nghẽn", "Tính khả thi, có lộ trình thực hiện"):
        assert f"Hãy lý giải điểm cho tiêu chí “{name}”." in refused.text
    assert "tiêu chí “Tính mới và sáng tạo”" not in refused.text
    data["action"] = "save"
    client.post(f"/reviews/assignments/{row.id}/review", data=data)
    session.expire_all()
    review = reviewing.get_review(session, row)
    assert {s.score for s in review.scores} == {7.5}
    assert 'value="7,5"' in client.get(f"/reviews/assignments/{row.id}/review").text
