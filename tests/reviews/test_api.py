"""A whole round through the API: open, auto-assign, accept, undertake, draft, submit, rank, decide."""

from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from tests.conftest import api_token
from tests.reviews import helpers as h


def test_a_round_through_the_api(client, session):
    boss = h.coordinator(session)
    person = h.reviewer(session, "Chuyên Gia", expertise_keywords=["cảnh báo sớm"])
    item = h.screened(session)
    coordinator, reviewer = api_token(client, boss.email), api_token(client, person.email)

    opened = client.post(
        "/api/v1/review-rounds",
        headers=coordinator,
        json={
            "name": "Đợt API",
            "due_at": (utcnow() + timedelta(days=7)).isoformat(),
            "reviews_wanted": 1,
            "initiative_ids": [item.id],
        },
    )
    assert opened.status_code == 201 and opened.json()["initiative_ids"] == [item.id]
    round_id = opened.json()["id"]
    assert (
        client.post(
            "/api/v1/review-rounds",
            headers=reviewer,
            json={"name": "x", "due_at": "2030-01-01T00:00:00", "initiative_ids": [item.id]},
        ).status_code
        == 403
    )

    assigned = client.post(
        f"/api/v1/review-rounds/{round_id}/auto-assign", headers=coordinator, json={}
    ).json()
    assert assigned["under_covered"] == {}
    [row] = assigned["created"]
    assert (row["reviewer_id"], row["method"], row["explanation"]["matched_keywords"]) == (
        person.id,
        "auto",
        ["cảnh báo sớm"],
    )

    base = f"/api/v1/review-assignments/{row['id']}"
    assert (
        client.post(
            f"{base}/accept", headers=reviewer, json={"declare_no_conflict": False}
        ).status_code
        == 422
    )
    assert (
        client.post(f"{base}/accept", headers=reviewer, json={"declare_no_conflict": True}).json()[
            "status"
        ]
        == "accepted"
    )
    assert client.put(f"{base}/review", headers=reviewer, json={}).status_code == 403
    client.post(f"{base}/confidentiality", headers=reviewer)

    draft = client.put(
        f"{base}/review", headers=reviewer, json={"scores": [{"criterion": "novelty", "score": 10}]}
    )
    assert (draft.json()["status"], draft.json()["total"]) == ("draft", 2.0)
    body = h.scores(8, 7, 6, 9, 5, comment="Tốt.").model_dump()
    submitted = client.post(f"{base}/review/submit", headers=reviewer, json=body)
    assert (submitted.json()["status"], submitted.json()["total"]) == ("submitted", 7.0)
    assert (
        client.get(f"/api/v1/review-rounds/{round_id}/ranking", headers=reviewer).status_code == 403
    )

    ranking = client.get(f"/api/v1/review-rounds/{round_id}/ranking", headers=coordinator).json()
    assert [(r["initiative_id"], r["raw"], r["reviews"]) for r in ranking["rows"]] == [
        (item.id, 7.0, 1)
    ]
    assert ranking["method"].startswith("Điểm hiệu chỉnh")
    csv_export = client.get(
        f"/api/v1/review-rounds/{round_id}/ranking?format=csv", headers=coordinator
    )
    assert csv_export.headers["content-type"].startswith("text/csv")
    decided = client.post(
        f"/api/v1/review-rounds/{round_id}/decisions",
        headers=coordinator,
        json={"initiative_id": item.id, "outcome": "select", "rationale": "Tốt."},
    )
    assert decided.status_code == 201
    published = client.post(f"/api/v1/initiatives/{item.id}/publication", headers=coordinator)
    assert published.status_code == 201 and published.json()["valid"] is True
