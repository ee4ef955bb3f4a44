"""The whole selection through the API with real mail: post, moderate, a public question, the
undertaking, two proposals (an initiative and a sketch), a private question, shortlist, a
structured decline, the deadline, the award."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.db import utcnow
from app.notifications.models import Notification
from app.problems import service
from app.problems.models import Problem, Proposal, ProposalMessage
from tests.conftest import api_token
from tests.initiatives.helpers import CONTENT
from tests.initiatives.helpers import initiative as make_initiative
from tests.problems.helpers import TITLE, body, cast


def test_the_selection_from_posting_to_award(client, session, worker, mail_to_smtp):
    c = cast(session)
    published = make_initiative(session, c.scientist, status="published")
    owner, coordinator = api_token(client, c.owner.email), api_token(client, c.coordinator.email)
    scientist, other = api_token(client, c.scientist.email), api_token(client, c.other.email)

    problem_id = client.post("/api/v1/problems", headers=owner, json=body()).json()["id"]
    assert client.post(f"/api/v1/problems/{problem_id}/submit", headers=owner).json()["status"] == (
        "submitted"
    )
    opened = client.post(
        f"/api/v1/problems/{problem_id}/transition", headers=coordinator, json={"to": "open"}
    )
    assert opened.json()["status"] == "open"

    asked = client.post(
        f"/api/v1/problems/{problem_id}/questions",
        headers=scientist,
        json={"question": "Có nhận giải pháp cho một phần bài toán không?"},
    ).json()
    assert client.get(f"/api/v1/problems/{problem_id}/questions").json() == []  # not answered yet
    answered = client.post(
        f"/api/v1/questions/{asked['id']}/answer", headers=owner, json={"answer": "Có."}
    )
    assert answered.status_code == 200
    assert [q["answer"] for q in client.get(f"/api/v1/problems/{problem_id}/questions").json()] == [
        "Có."
    ]

    assert client.post(f"/api/v1/problems/{problem_id}/nda", headers=scientist).status_code == 200
    mine = client.post(
        f"/api/v1/problems/{problem_id}/proposals",
        headers=scientist,
        json={"kind": "initiative", "initiative_id": published.id, "summary": "Đã thử ở Lâm Đồng."},
    )
    assert mine.status_code == 201, mine.text
    sketch = client.post(
        f"/api/v1/problems/{problem_id}/proposals",
        headers=other,
        json={"kind": "sketch", "summary": "Phác thảo", "confidential": "Bí quyết riêng"},
    ).json()
    # The owner sees the initiative's public sections only (no grant), and not the sketch's
    # confidential part before shortlisting it.
    seen = client.get(f"/api/v1/proposals/{mine.json()['id']}", headers=owner).json()
    assert seen["initiative"]["title"] == CONTENT["title"]
    assert "solution" not in seen["initiative"] and "problem" in seen["initiative"]
    assert (
        "confidential" not in client.get(f"/api/v1/proposals/{sketch['id']}", headers=owner).json()
    )
    # Each proposer sees only their own.
    assert [
        p["id"]
        for p in client.get(f"/api/v1/problems/{problem_id}/proposals", headers=other).json()
    ] == [sketch["id"]]

    thread = f"/api/v1/proposals/{mine.json()['id']}/messages"
    client.post(thread, headers=owner, json={"body": "Đã thử trên 35 °C chưa?"})
    replied = client.post(thread, headers=scientist, json={"body": "Rồi, đến 38 °C."})
    assert [(m["author"], m["mine"]) for m in replied.json()] == [
        ("Đỗ Thị Chủ", False),
        ("Trần Khoa Học", True),
    ]
    assert client.get(thread, headers=other).status_code == 404

    assert (
        client.post(f"/api/v1/proposals/{mine.json()['id']}/shortlist", headers=owner).json()[
            "status"
        ]
        == "shortlisted"
    )
    unexplained = client.post(
        f"/api/v1/proposals/{sketch['id']}/decline", headers=owner, json={"reason": "other"}
    )
    assert (unexplained.status_code, unexplained.json()["errors"]) == (
        422,
        {"text": "Nêu lý do khi chọn “Lý do khác”."},
    )
    declined = client.post(
        f"/api/v1/proposals/{sketch['id']}/decline", headers=owner, json={"reason": "too_early"}
    )
    assert (declined.json()["status"], declined.json()["decline_reason"]) == (
        "declined",
        "too_early",
    )
    assert client.get(f"/api/v1/proposals/{sketch['id']}", headers=other).json()[
        "decline_reason"
    ] == ("too_early")

    early = client.post(
        f"/api/v1/problems/{problem_id}/award",
        headers=owner,
        json={"proposal_ids": [mine.json()["id"]]},
    )
    assert (early.status_code, early.json()["current"]) == (409, "open")
    problem = session.get(Problem, problem_id)
    session.refresh(problem)
    assert service.run_deadlines(session, utcnow() + timedelta(days=31))["closed"] == [problem_id]
    session.commit()
    awarded = client.post(
        f"/api/v1/problems/{problem_id}/award",
        headers=owner,
        json={"proposal_ids": [mine.json()["id"]]},
    )
    assert [p["status"] for p in awarded.json()] == ["awarded"]
    figures = client.get("/api/v1/problems/mine", headers=owner).json()[0]["figures"]
    assert figures["proposals"] == {
        "submitted": 0,
        "shortlisted": 0,
        "declined": 1,
        "awarded": 1,
        "withdrawn": 0,
    }
    assert figures["nda_acceptances"] == 1

    worker.drain()
    mails = mail_to_smtp.wait_for(19)
    # Long encoded subjects come back folded; compare them without whitespace.
    got = sorted((m.rcpt_tos[0], "".join(m.subject.split())) for m in mails)
    TITLE_ = "".join(TITLE.split())
    assert (
        "nhakhoahoc@vien.vn",
        f"Yourproposalfor“{TITLE_}”wasawarded",
    ) in got
    assert ("nhakhoahoc@vien.vn", f"Yourquestionon“{TITLE_}”wasanswered") in got
    assert ("nguoikhac@vien.vn", f"Đềxuấtcủabạncho“{TITLE_}”khôngđượcchọn") in got
    assert ("nguoikhac@vien.vn", f"Bàitoán“{TITLE_}”đãchọnđượcđềxuất") in got
    assert ("nhakhoahoc@vien.vn", f"Yourproposalfor“{TITLE_}”wasshortlisted") in got
    decline_mail = next(m for m in mails if "khôngđượcchọn" in "".join(m.subject.split()))
    assert "Còn quá sớm so với yêu cầu của bài toán" in decline_mail.text
    message_mail = next(
        m for m in mails if m.rcpt_tos == ["nhakhoahoc@vien.vn"] and "message" in m.subject
    )
    assert "Đã thử trên 35 °C chưa?" in message_mail.text
    assert sorted(r for r, s in got if s == f"Newproposalfor“{TITLE_}”") == [
        "chu@nongsanxanh.vn",
        "chu@nongsanxanh.vn",
        "dongnghiep@nongsanxanh.vn",
        "dongnghiep@nongsanxanh.vn",
    ]
    assert len(mails) == 19
    session.rollback()
    moderation = session.exec(
        select(Notification).where(Notification.type == "problem_moderation")
    ).all()
    assert [(n.user_id, n.channel) for n in moderation] == [(c.coordinator.id, "in_app")]
    assert len(session.exec(select(ProposalMessage)).all()) == 2
    assert session.get(Proposal, sketch["id"]).status == "declined"


def test_bad_input_is_a_clear_message_and_nothing_is_saved(client, session):
    c = cast(session)
    owner, scientist = api_token(client, c.owner.email), api_token(client, c.scientist.email)
    bad = client.post(
        "/api/v1/problems",
        headers=owner,
        json=body(deadline="2020-01-01", budget_min=3_000_000_000, budget_max=1_000_000_000),
    )
    assert (bad.status_code, bad.headers["content-type"], bad.json()["errors"]) == (
        422,
        "application/problem+json",
        {
            "deadline": "Hạn nhận đề xuất phải sau ngày hôm nay.",
            "budget_min": "Ngân sách tối thiểu không được lớn hơn ngân sách tối đa.",
        },
    )
    assert client.post("/api/v1/problems", headers=scientist, json=body()).status_code == 403
    assert session.exec(select(Problem)).all() == []

    problem_id = client.post("/api/v1/problems", headers=owner, json=body()).json()["id"]
    problem = session.get(Problem, problem_id)
    problem.status = "closed"
    session.add(problem)
    session.commit()
    late = client.post(
        f"/api/v1/problems/{problem_id}/proposals",
        headers=scientist,
        json={"kind": "sketch", "summary": "Muộn"},
    )
    assert (late.status_code, late.json()["detail"]) == (
        409,
        "Bài toán này không còn nhận đề xuất.",
    )
    wrong = client.post(
        f"/api/v1/problems/{problem_id}/proposals",
        headers=scientist,
        json={"kind": "sketch", "summary": "  ", "current_trl": 12},
    )
    assert set(wrong.json()["errors"]) == {"summary", "current_trl"}
    assert session.exec(select(Proposal)).all() == []
