"""The JSON API: drafts, submission, transitions, versions, receipts, inbox, taxonomy, uploads."""

from __future__ import annotations

import hashlib

from app.initiatives.workflow import Status
from tests.conftest import api_token
from tests.initiatives import helpers


def _complete(session) -> dict:
    field = helpers.top_field(session)
    body = {k: v for k, v in helpers.CONTENT.items()}
    return body | {"field_id": field.id}


def test_a_draft_is_created_saved_in_parts_and_submitted(client, session):
    cast = helpers.cast(session)
    headers = api_token(client, cast.submitter.email)
    created = client.post("/api/v1/initiatives", json={"title": "Bản nháp"}, headers=headers)
    assert created.status_code == 201
    item_id = created.json()["id"]
    incomplete = client.post(
        f"/api/v1/initiatives/{item_id}/submit", headers=headers | {"Accept-Language": "vi"}
    )
    assert incomplete.status_code == 422
    assert incomplete.headers["content-type"] == "application/problem+json"
    assert incomplete.json()["errors"]["summary"] == "Nhập phần tóm tắt công khai."
    assert (
        client.patch(
            f"/api/v1/initiatives/{item_id}", json=_complete(session), headers=headers
        ).status_code
        == 200
    )
    submitted = client.post(f"/api/v1/initiatives/{item_id}/submit", headers=headers)
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted" and submitted.json()[
        "receipt_code"
    ].startswith("SK-")
    assert [i["id"] for i in client.get("/api/v1/initiatives", headers=headers).json()] == [item_id]


def test_an_illegal_transition_is_a_409_naming_what_is_allowed(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.submitted)
    response = client.post(
        f"/api/v1/initiatives/{item.id}/transitions",
        json={"to": "published"},
        headers=api_token(client, cast.coordinator.email) | {"Accept-Language": "en"},
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["type"], body["allowed"], body["current"]) == (
        "/problems/invalid-transition",
        ["screening", "withdrawn"],
        "submitted",
    )
    assert body["detail"] == (
        "An initiative in stage “Submitted” cannot move to “Published”. "
        "Allowed from here: Screening, Withdrawn."
    )


def test_a_transition_by_the_wrong_role_is_a_403(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.submitted)
    response = client.post(
        f"/api/v1/initiatives/{item.id}/transitions",
        json={"to": "screening"},
        headers=api_token(client, cast.submitter.email),
    )
    assert response.status_code == 403


def test_rejection_without_a_reason_is_a_422_on_the_reason(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status=Status.screening)
    response = client.post(
        f"/api/v1/initiatives/{item.id}/transitions",
        json={"to": "rejected"},
        headers=api_token(client, cast.coordinator.email),
    )
    assert (response.status_code, list(response.json()["errors"])) == (422, ["reason"])


def test_the_coordinator_screens_and_the_history_and_versions_follow(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    submitter, coordinator = (
        api_token(client, cast.submitter.email),
        api_token(client, cast.coordinator.email),
    )
    client.post(f"/api/v1/initiatives/{item.id}/submit", headers=submitter)
    for to, reason in [("screening", None), ("returned_for_revision", "Bổ sung lộ trình.")]:
        assert (
            client.post(
                f"/api/v1/initiatives/{item.id}/transitions",
                json={"to": to, "reason": reason},
                headers=coordinator,
            ).status_code
            == 200
        )
    client.patch(
        f"/api/v1/initiatives/{item.id}", json={"feasibility": "Lộ trình 5 năm."}, headers=submitter
    )
    client.post(f"/api/v1/initiatives/{item.id}/submit", headers=submitter)
    events = client.get(f"/api/v1/initiatives/{item.id}/history", headers=coordinator).json()
    assert [(e["from_status"], e["to_status"], e["reason"]) for e in events] == [
        ("draft", "submitted", None),
        ("submitted", "screening", None),
        ("screening", "returned_for_revision", "Bổ sung lộ trình."),
        ("returned_for_revision", "submitted", None),
    ]
    assert [
        v["number"]
        for v in client.get(f"/api/v1/initiatives/{item.id}/versions", headers=submitter).json()
    ] == [1, 2]
    diff = client.get(
        f"/api/v1/initiatives/{item.id}/versions/compare?a=1&b=2", headers=coordinator
    ).json()
    assert diff == [
        {"field": "feasibility", "old": helpers.CONTENT["feasibility"], "new": "Lộ trình 5 năm."}
    ]
    assert (
        client.get(
            f"/api/v1/initiatives/{item.id}/versions", headers=api_token(client, cast.other.email)
        ).status_code
        == 404
    )


def test_the_public_receipt_lookup_reveals_stage_and_dates_only(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    client.post(
        f"/api/v1/initiatives/{item.id}/submit", headers=api_token(client, cast.submitter.email)
    )
    session.refresh(item)
    found = client.get(
        f"/api/v1/receipts/{item.receipt_code}?fingerprint={item.fingerprint}"
    ).json()
    assert set(found) == {
        "receipt_code",
        "status",
        "status_label",
        "submitted_at",
        "stage_entered_at",
        "fingerprint_matches",
        "matched_version",
        "clock",  # the stage clock against its public target (reports); none set here
        "forwarded_from",  # provenance when a partner system forwarded it (partners); none here
    }
    assert found["clock"] is None
    assert found["forwarded_from"] is None
    assert (found["status"], found["fingerprint_matches"], found["matched_version"]) == (
        "submitted",
        True,
        1,
    )
    wrong = client.get(f"/api/v1/receipts/{item.receipt_code}?fingerprint={'a' * 64}").json()
    assert wrong["fingerprint_matches"] is False
    assert client.get("/api/v1/receipts/SK-2026-999999").status_code == 404
    assert client.get("/api/v1/receipts/not-a-code").status_code == 422


def test_the_inbox_filters_by_stage_field_province_and_days(client, session):
    cast = helpers.cast(session)
    a = helpers.initiative(session, cast.submitter, status=Status.submitted, province="Huế")
    b = helpers.initiative(session, cast.submitter, status=Status.screening, province="Lào Cai")
    helpers.initiative(session, cast.submitter, status=Status.draft)
    headers = api_token(client, cast.coordinator.email)

    def ids(q: str) -> list[int]:
        response = client.get(f"/api/v1/coordinator/initiatives{q}", headers=headers)
        return [i["id"] for i in response.json()]

    assert ids("") == [a.id, b.id]
    assert ids("?province=Huế") == [a.id]
    assert ids("?status=screening") == [b.id]
    assert ids(f"?field_id={helpers.top_field(session).id}") == [a.id, b.id]
    assert ids("?min_days_in_stage=3") == []
    assert (
        client.get(
            "/api/v1/coordinator/initiatives", headers=api_token(client, cast.submitter.email)
        ).status_code
        == 403
    )


def test_bulk_start_screening(client, session):
    cast = helpers.cast(session)
    a = helpers.initiative(session, cast.submitter, status=Status.submitted)
    response = client.post(
        "/api/v1/initiatives/bulk/start-screening",
        json={"ids": [a.id, 999]},
        headers=api_token(client, cast.coordinator.email),
    )
    assert response.json()["done"] == [a.id] and list(response.json()["refused"]) == ["999"]


def test_admins_edit_the_taxonomy_others_read_it(client, session):
    cast = helpers.cast(session)
    top = helpers.top_field(session)
    admin = api_token(client, cast.admin.email)
    added = client.post(
        "/api/v1/fields",
        json={
            "code": "digital_quantum",
            "name_vi": "Công nghệ lượng tử",
            "name_en": "Quantum technology",
            "parent_id": top.id,
        },
        headers=admin,
    )
    assert added.status_code == 201
    renamed = client.patch(
        f"/api/v1/fields/{added.json()['id']}", json={"is_active": False}, headers=admin
    )
    assert renamed.json()["is_active"] is False
    codes = [f["code"] for f in client.get("/api/v1/fields").json()]
    assert "digital_quantum" not in codes and "digital_ai" in codes and len(codes) == 29
    assert (
        client.post(
            "/api/v1/fields",
            json={"code": "x_y", "name_vi": "a", "name_en": "b"},
            headers=api_token(client, cast.coordinator.email),
        ).status_code
        == 403
    )


def test_an_upload_records_the_hash_and_enters_the_fingerprint(client, session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    headers = api_token(client, cast.submitter.email)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    uploaded = client.post(
        f"/api/v1/initiatives/{item.id}/attachments",
        headers=headers,
        files={"file": ("../../etc/mô tả.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    [row] = uploaded.json()
    assert (row["sha256"], row["size"], row["confidential"]) == (
        hashlib.sha256(pdf).hexdigest(),
        len(pdf),
        True,
    )
    assert "/" not in row["filename"] and ".." not in row["filename"]
    submitted = client.post(f"/api/v1/initiatives/{item.id}/submit", headers=headers).json()
    version = client.get(f"/api/v1/initiatives/{item.id}/versions/1", headers=headers).json()
    assert version["content"]["attachments"] == [hashlib.sha256(pdf).hexdigest()]
    assert submitted["fingerprint"] == version["fingerprint"]
    refused = client.post(
        f"/api/v1/initiatives/{item.id}/attachments",
        headers=headers,
        files={"file": ("x.pdf", pdf, "application/pdf")},
    )
    assert refused.status_code == 409
