"""Every loader of an initiative goes through the visibility module; the history is redacted too."""

from __future__ import annotations

from app.initiatives import history
from tests.conftest import api_token, csrf_of, web_login
from tests.reviews import helpers as h


def test_a_coordinator_gets_no_draft_through_any_page_or_endpoint(client, session):
    boss = h.coordinator(session)
    draft = h.initiatives.initiative(
        session, h.factories.user(session), status="draft", title="Bản nháp bí mật"
    )
    round = h.open_round(session, boss, [h.screened(session)])
    headers = api_token(client, boss.email)
    web_login(client, boss.email)
    token = csrf_of(client.get("/reviews/rounds").text)
    pages = [
        client.get(f"/initiatives/{draft.id}"),
        client.get(f"/publication/initiatives/{draft.id}"),
        client.post(
            f"/publication/initiatives/{draft.id}/proposals",
            data={"summary": "Tóm tắt", "csrf_token": token},
        ),
        client.post(f"/publication/initiatives/{draft.id}/publish", data={"csrf_token": token}),
        client.get(f"/reviews/rounds/{round.id}/items/{draft.id}/assign"),
        client.get(f"/reviews/rounds/{round.id}/items/{draft.id}/decide"),
    ]
    api = [
        client.get(f"/api/v1/initiatives/{draft.id}", headers=headers),
        client.get(f"/api/v1/initiatives/{draft.id}/history", headers=headers),
        client.post(
            f"/api/v1/initiatives/{draft.id}/summary-proposals",
            json={"summary": "Tóm tắt"},
            headers=headers,
        ),
        client.post(f"/api/v1/initiatives/{draft.id}/publication", headers=headers),
        client.post(
            f"/api/v1/review-rounds/{round.id}/assignments",
            json={"initiative_id": draft.id, "reviewer_id": boss.id},
            headers=headers,
        ),
        client.post(
            f"/api/v1/review-rounds/{round.id}/decisions",
            json={"initiative_id": draft.id, "outcome": "reject", "rationale": "Không"},
            headers=headers,
        ),
    ]
    for response in pages + api:
        assert response.status_code == 404, (response.request.url, response.status_code)
        assert "Bản nháp bí mật" not in response.text


def test_the_publication_desk_logs_the_coordinators_view(client, session):
    from sqlmodel import select

    from app.initiatives.models import ConfidentialView

    boss = h.coordinator(session)
    item = h.initiatives.initiative(session, h.factories.user(session), status="selected")
    web_login(client, boss.email)
    assert client.get(f"/publication/initiatives/{item.id}").status_code == 200
    views = list(session.exec(select(ConfidentialView)))
    assert [(v.user_id, v.what) for v in views] == [(boss.id, "publication desk")]


def test_a_reviewer_in_a_blind_round_gets_no_actor_ids_or_fingerprints_from_the_history(
    client, session
):
    boss, person = h.coordinator(session), h.reviewer(session)
    submitter = h.factories.user(session, full_name="Trần Thị Bình")
    item = h.screened(session, submitter)
    for actor, before, after in (
        (submitter, "draft", "submitted"),
        (boss, "submitted", "screening"),
    ):
        history.append(
            session,
            initiative_id=item.id,
            actor_id=actor.id,
            from_status=before,
            to_status=after,
            reason=None,
            fingerprint="cd" * 32,
        )
    session.commit()
    round = h.open_round(session, boss, [item], blind=True)
    h.cleared(session, round, item, person, boss)
    reviewer_view = client.get(
        f"/api/v1/initiatives/{item.id}/history", headers=api_token(client, person.email)
    ).json()
    assert len(reviewer_view) == 3  # submitted, screening, then into the review round
    assert {(e["actor_id"], e["fingerprint"]) for e in reviewer_view} == {(None, None)}
    coordinator_view = client.get(
        f"/api/v1/initiatives/{item.id}/history", headers=api_token(client, boss.email)
    ).json()
    assert [(e["actor_id"], e["fingerprint"]) for e in coordinator_view][:2] == [
        (submitter.id, "cd" * 32),
        (boss.id, "cd" * 32),
    ]
