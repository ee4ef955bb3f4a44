"""The owners' pages: editing a draft, its confidential files; the proposer's withdrawal with
its history row and the notice to the owners through real SMTP."""

from __future__ import annotations

from sqlmodel import select

from app.problems import proposals as proposal_service
from app.problems.models import ProblemAttachment, Proposal
from app.storage import get_storage
from tests.conftest import api_token, csrf_of, web_login
from tests.problems.helpers import TITLE, body, cast, problem, sketch

PDF = b"%PDF-1.4\n%%EOF\n"


def _form_data(token: str, **overrides) -> dict:
    values = {k: v for k, v in body().items() if not isinstance(v, list)}
    values.update(
        provinces="Lâm Đồng",
        outcome_indicator="Tỷ lệ thất thoát",
        outcome_unit="%",
        outcome_target="10",
        csrf_token=token,
    )
    values.update(overrides)
    return values


def test_the_owners_edit_a_draft_on_its_page_and_bad_input_changes_nothing(client, session):
    c = cast(session)
    draft = problem(session, c, "draft")
    web_login(client, c.colleague.email)  # a colleague of the same organisation co-manages it
    page = client.get(f"/problems/{draft.id}")
    assert f'href="/problems/{draft.id}/edit"' in page.text
    form = client.get(f"/problems/{draft.id}/edit")
    assert form.status_code == 200
    assert f'value="{TITLE}"' in form.text and 'value="Lâm Đồng" selected' in form.text
    refused = client.post(
        f"/problems/{draft.id}/edit",
        data=_form_data(csrf_of(form.text), title="Tên mới", budget_min="9000000000"),
    )
    assert refused.status_code == 400
    assert "The minimum budget cannot exceed the maximum." in refused.text
    session.refresh(draft)
    assert draft.title == TITLE
    saved = client.post(
        f"/problems/{draft.id}/edit",
        data=_form_data(csrf_of(form.text), title="Tên mới", sector=""),
        follow_redirects=False,
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"/problems/{draft.id}")
    session.refresh(draft)
    assert (draft.title, draft.budget_min, draft.status) == ("Tên mới", 500_000_000, "draft")


def test_only_an_editable_problem_of_ones_own_organisation_has_an_edit_page(client, session):
    c = cast(session)
    opened = problem(session, c, "open")
    draft = problem(session, c, "draft")
    web_login(client, c.owner.email)
    assert client.get(f"/problems/{opened.id}/edit").status_code == 409
    assert f'href="/problems/{opened.id}/edit"' not in client.get(f"/problems/{opened.id}").text
    client.cookies.clear()
    web_login(client, c.rival.email)
    assert client.get(f"/problems/{draft.id}/edit").status_code == 404  # a draft is not shown
    client.cookies.clear()
    web_login(client, c.scientist.email)
    assert client.get(f"/problems/{opened.id}/edit").status_code == 403


def test_the_files_page_uploads_lists_and_removes_confidential_files(client, session, worker):
    c = cast(session)
    draft = problem(session, c, "draft")
    web_login(client, c.owner.email)
    page = client.get(f"/problems/{draft.id}/files")
    assert page.status_code == 200 and "No files yet." in page.text
    assert "csrf_token=" not in page.text  # the token is the form's first field, never in a URL
    token = csrf_of(page.text)
    without_token = client.post(
        f"/problems/{draft.id}/files", files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert without_token.status_code == 403
    refused = client.post(
        f"/problems/{draft.id}/files",
        data={"csrf_token": token},
        files={"file": ("chay.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")},
        follow_redirects=False,
    )
    assert (refused.status_code, refused.headers["location"]) == (
        303,
        f"/problems/{draft.id}/files#f-file",
    )
    again = client.get(f"/problems/{draft.id}/files").text
    assert 'class="field-error" id="e-file"' in again
    assert session.exec(select(ProblemAttachment)).all() == []

    sent = client.post(
        f"/problems/{draft.id}/files",
        data={"csrf_token": token},
        files={"file": ("số liệu.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/problems/{draft.id}/files")
    [stored] = session.exec(select(ProblemAttachment)).all()
    assert (stored.filename, stored.size, stored.uploaded_by_id) == ("số liệu.pdf", 15, c.owner.id)
    listed = client.get(f"/problems/{draft.id}/files").text
    assert f'href="/problems/{draft.id}/attachments/{stored.id}">số liệu.pdf' in listed
    assert client.get(f"/problems/{draft.id}/attachments/{stored.id}").content == PDF

    removed = client.post(
        f"/problems/{draft.id}/files/{stored.id}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    worker.drain()
    assert session.exec(select(ProblemAttachment)).all() == []
    assert not get_storage().resolve(stored.storage_key).exists()  # type: ignore[attr-defined]


def test_files_cannot_be_added_once_the_problem_is_open(client, session):
    c = cast(session)
    opened = problem(session, c, "open")
    web_login(client, c.owner.email)
    assert client.get(f"/problems/{opened.id}/files").status_code == 409
    token = csrf_of(client.get(f"/problems/{opened.id}").text)
    sent = client.post(
        f"/problems/{opened.id}/files",
        data={"csrf_token": token},
        files={"file": ("a.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 409
    assert session.exec(select(ProblemAttachment)).all() == []


def test_the_proposer_withdraws_with_a_history_row_and_the_owners_are_told(
    client, session, worker, mail_to_smtp
):
    c = cast(session)
    opened = problem(session, c, "open")
    proposal = sketch(session, c.scientist, opened)
    worker.drain()
    mail_to_smtp.clear()

    web_login(client, c.scientist.email)
    page = client.get(f"/problems/proposals/{proposal.id}")
    assert "Withdraw my proposal" in page.text
    token = csrf_of(page.text)
    unconfirmed = client.post(
        f"/problems/proposals/{proposal.id}/withdraw",
        data={"csrf_token": token, "reason": "Nhóm bận dự án khác."},
    )
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm this step: it cannot be undone." in unconfirmed.text
    session.refresh(proposal)
    assert proposal.status == "submitted"

    done = client.post(
        f"/problems/proposals/{proposal.id}/withdraw",
        data={"csrf_token": token, "reason": "Nhóm bận dự án khác.", "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.refresh(proposal)
    assert proposal.status == "withdrawn"
    history = [
        (e.actor_id, e.from_status, e.to_status, e.reason)
        for e in proposal_service.history(session, proposal)
    ]
    assert history == [
        (c.scientist.id, None, "submitted", None),
        (c.scientist.id, "submitted", "withdrawn", "Nhóm bận dự án khác."),
    ]
    shown = client.get(f"/problems/proposals/{proposal.id}").text
    assert "Withdraw my proposal" not in shown and "Nhóm bận dự án khác." in shown

    twice = client.post(
        f"/problems/proposals/{proposal.id}/withdraw",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert twice.status_code == 409 and "This proposal is already “Withdrawn”." in twice.text

    worker.drain()
    mails = mail_to_smtp.wait_for(2)
    assert sorted((m.rcpt_tos[0], " ".join(m.subject.split())) for m in mails) == [
        (c.owner.email, f"A proposal for “{TITLE}” was withdrawn"),
        (c.colleague.email, f"A proposal for “{TITLE}” was withdrawn"),
    ]
    assert "Trần Khoa Học withdrew their proposal." in mails[0].text
    assert "Nhóm bận dự án khác." in mails[0].text


def test_only_the_proposer_withdraws_and_not_after_a_decline(client, session):
    c = cast(session)
    opened = problem(session, c, "open")
    proposal = sketch(session, c.scientist, opened)
    api = client.post  # the API: no confirmation needed, problem+json refusals
    owner, scientist = api_token(client, c.owner.email), api_token(client, c.scientist.email)
    refused = api(f"/api/v1/proposals/{proposal.id}/withdraw", headers=owner, json={})
    assert refused.status_code == 403
    api(f"/api/v1/proposals/{proposal.id}/decline", headers=owner, json={"reason": "too_early"})
    late = api(f"/api/v1/proposals/{proposal.id}/withdraw", headers=scientist, json={})
    assert (late.status_code, late.json()["current"]) == (409, "declined")
    assert session.exec(select(Proposal.status)).all() == ["declined"]
    history = client.get(f"/api/v1/proposals/{proposal.id}/history", headers=scientist).json()
    assert [(h["to_status"], h["actor"], h["reason"]) for h in history] == [
        ("submitted", "Trần Khoa Học", ""),
        ("declined", "Đỗ Thị Chủ", ""),
    ]
    other = api_token(client, c.other.email)
    assert client.get(f"/api/v1/proposals/{proposal.id}/history", headers=other).status_code == 404


def test_the_api_removes_a_file_of_a_draft_for_its_owners_only(client, session, worker):
    c = cast(session)
    draft = problem(session, c, "draft")
    owner, rival = api_token(client, c.owner.email), api_token(client, c.rival.email)
    [sent] = client.post(
        f"/api/v1/problems/{draft.id}/attachments",
        headers=owner,
        files={"file": ("a.pdf", PDF, "application/pdf")},
    ).json()
    url = f"/api/v1/problems/{draft.id}/attachments/{sent['id']}"
    assert client.delete(url, headers=rival).status_code == 404
    assert client.delete(url, headers=owner).status_code == 204
    assert client.delete(url, headers=owner).status_code == 404
    worker.drain()
    assert session.exec(select(ProblemAttachment)).all() == []
