"""Initiatives forwarded by a partner: created once, submitted with provenance, all or nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from sqlmodel import func, select

from app.accounts.models import Role, User
from app.initiatives import history
from app.initiatives.models import Attachment, Initiative
from app.outbox import topics
from app.outbox.models import OutboxEvent
from app.partners.models import ForwardedInitiative, PartnerCall
from tests import factories
from tests.fixtures.browser import serve_app
from tests.partners import helpers


def stored_files(settings) -> list[Path]:
    root = Path(settings.uploads_dir)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def mails_to(session, address: str) -> list[dict]:
    return [
        e.payload
        for e in session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.topic == topics.MAIL_SEND)
            .order_by(OutboxEvent.id)
        )
        if e.payload["to"] == address
    ]


def test_a_forwarded_initiative_is_submitted_with_receipt_provenance_files_and_an_invitation(
    client, session, settings
):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    answer = helpers.forward(
        client,
        access,
        helpers.payload(),
        files=[("thuyet-minh.pdf", helpers.PDF, "application/pdf")],
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    initiative = session.get(Initiative, body["initiative_id"])
    assert (body["status"], body["created"], body["external_id"]) == (
        "submitted",
        True,
        "LGSP-HN-2026-000123",
    )
    assert body["receipt_code"] == initiative.receipt_code and initiative.receipt_code.startswith(
        "SK-"
    )
    assert initiative.title == "Cảm biến độ mặn giá rẻ cho đồng bằng sông Cửu Long"
    assert initiative.fingerprint is not None
    [event] = history.events(session, initiative.id)
    assert (event.from_status, event.to_status) == ("draft", "submitted")
    assert event.reason == (
        "Được chuyển từ Hệ thống tiếp nhận kiến nghị tỉnh (mã định danh 000.00.00.H26), "
        "hệ thống nguồn Hệ thống tiếp nhận kiến nghị, sáng kiến; mã bên gửi "
        "LGSP-HN-2026-000123; bên gửi tiếp nhận lúc 2026-02-10T08:30:00+07:00."
    )
    [attachment] = session.exec(select(Attachment)).all()
    assert (attachment.filename, attachment.confidential) == ("thuyet-minh.pdf", True)
    assert len(stored_files(settings)) == 1

    submitter = session.exec(select(User).where(User.email == "an.nguyen@example.vn")).one()
    assert (submitter.full_name, submitter.password_hash, submitter.is_verified) == (
        "Nguyễn Văn An",
        None,
        False,
    )
    assert Role.submitter in submitter.roles
    subjects = [m["subject"] for m in mails_to(session, "an.nguyen@example.vn")]
    assert len(subjects) == 2
    assert "Sáng kiến của bạn đã được chuyển đến Cổng sáng kiến" in subjects
    invitation = next(m for m in mails_to(session, submitter.email) if "chuyển đến" in m["subject"])
    assert "/account/password/reset?token=" in invitation["text"]
    assert initiative.receipt_code in invitation["text"]

    receipt = client.get(f"/api/v1/receipts/{initiative.receipt_code}").json()
    assert receipt["forwarded_from"] == {
        "partner": "Hệ thống tiếp nhận kiến nghị tỉnh",
        "agency_code": "000.00.00.H26",
        "source_system": "Hệ thống tiếp nhận kiến nghị, sáng kiến",
        "external_id": "LGSP-HN-2026-000123",
        "source_received_at": "2026-02-10T01:30:00Z",
    }
    page = client.get(f"/receipts?code={initiative.receipt_code}")
    assert "LGSP-HN-2026-000123" in page.text
    status = client.get(
        "/api/v1/partners/initiatives/LGSP-HN-2026-000123", headers=helpers.bearer(access)
    )
    assert status.json()["status"] == "submitted"


def test_the_same_external_id_again_returns_the_same_initiative_and_keeps_no_new_file(
    client, session, settings
):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    first = helpers.forward(client, access, helpers.payload())
    again = helpers.forward(
        client, access, helpers.payload(), files=[("b.pdf", helpers.PDF, "application/pdf")]
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert session.exec(select(func.count()).select_from(Initiative)).one() == 1
    assert stored_files(settings) == []
    assert len(mails_to(session, "an.nguyen@example.vn")) == 2  # receipt and invitation, once


def test_an_idempotency_key_returns_the_first_answer_and_refuses_reuse_for_another_id(
    client, session
):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    key = {"Idempotency-Key": "9d7c1e0a-key"}
    first = helpers.forward(client, access, helpers.payload("A-1"), headers=key)
    reused = helpers.forward(client, access, helpers.payload("A-2"), headers=key)
    assert first.status_code == 201
    assert reused.status_code == 409
    assert reused.json()["type"] == "/problems/idempotency-key-reused"
    assert session.exec(select(func.count()).select_from(Initiative)).one() == 1


def test_a_known_submitter_is_linked_and_not_invited(client, session):
    known = factories.user(session, Role.enterprise, email="an.nguyen@example.vn")
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    answer = helpers.forward(client, access, helpers.payload())
    assert answer.status_code == 201
    initiative = session.get(Initiative, answer.json()["initiative_id"])
    assert initiative.submitter_id == known.id
    session.refresh(known, ["grants"])
    assert known.roles == {Role.enterprise, Role.submitter}
    assert [m["subject"] for m in mails_to(session, known.email)] == [
        m["subject"] for m in mails_to(session, known.email) if "chuyển đến" not in m["subject"]
    ]


def test_a_bad_payload_is_a_problem_per_field_and_creates_nothing(client, session, settings):
    partner, secret = helpers.partner(session)
    access = helpers.token(client, partner, secret)
    data = helpers.payload()
    data["initiative"]["title"] = ""
    data["initiative"]["field_code"] = "astrology"
    data["initiative"]["trl"] = 12
    data["submitter"]["email"] = "not-an-address"
    data["colour"] = "blue"
    bad = helpers.forward(client, access, data, files=[("a.pdf", helpers.PDF, "application/pdf")])
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"] == {
        "initiative.title": "Trường này là bắt buộc.",
        "initiative.trl": "Hãy nhập giá trị tối đa 9.",
        "submitter.email": "Nhập địa chỉ email hợp lệ.",
        "colour": "Trường này không có trong lược đồ.",
    }
    data = helpers.payload()
    data["initiative"]["field_code"] = "astrology"
    data["initiative"]["province"] = "Atlantis"
    unknown = helpers.forward(client, access, data)
    assert unknown.status_code == 422
    assert sorted(unknown.json()["errors"]) == ["initiative.field_code", "initiative.province"]
    not_json = client.post(
        "/api/v1/partners/initiatives",
        files=[("initiative", (None, "{oops", "application/json"))],
        headers=helpers.bearer(access),
    )
    assert (not_json.status_code, list(not_json.json()["errors"])) == (422, ["initiative"])
    assert session.exec(select(func.count()).select_from(Initiative)).one() == 0
    assert session.exec(select(User).where(User.email == "an.nguyen@example.vn")).first() is None
    assert session.exec(select(ForwardedInitiative)).all() == []
    assert stored_files(settings) == []
    outcomes = [c.outcome for c in session.exec(select(PartnerCall).order_by(PartnerCall.id))]
    assert outcomes[-3:] == ["validation-failed"] * 3


def test_concurrent_retries_of_one_external_id_create_one_initiative(app, session, db_url):
    partner, secret = helpers.partner(session)
    base, stop = serve_app(app)
    try:
        with httpx.Client(base_url=base) as http:
            access = http.post(
                "/api/v1/partners/token",
                data={"grant_type": "client_credentials"},
                auth=(partner.client_id, secret),
            ).json()["access_token"]
        statuses: list[int] = []
        start = threading.Barrier(4)

        def send() -> None:
            with httpx.Client(base_url=base, timeout=300) as http:  # the machine may be busy
                start.wait()
                import json

                response = http.post(
                    "/api/v1/partners/initiatives",
                    files=[
                        ("initiative", (None, json.dumps(helpers.payload()), "application/json"))
                    ],
                    headers=helpers.bearer(access),
                )
                statuses.append(response.status_code)

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        stop()
    assert sorted(statuses) == [200, 200, 200, 201]
    assert session.exec(select(func.count()).select_from(Initiative)).one() == 1
    assert (
        session.exec(
            select(func.count()).select_from(User).where(User.email == "an.nguyen@example.vn")
        ).one()
        == 1
    )
