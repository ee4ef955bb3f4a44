"""Who sees what, through the API: every actor × every state for the problem (abstract and
details), a proposal and a confidential file; the non-disclosure gate and its access-log entry."""

from __future__ import annotations

from app.problems.models import Problem, Proposal
from app.problems.workflow import PUBLIC_STATES, Status
from tests.conftest import api_token
from tests.problems.helpers import ABSTRACT, DETAILS, body, cast, today

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTORS = ("anonymous", "rival", "owner", "colleague", "proposer", "other", "coordinator", "admin")
MANAGERS = {"owner", "colleague", "coordinator", "admin"}


def _expected(state: str, actor: str) -> tuple[int, bool, int, int]:
    """(problem read, details shown, proposal read, file download) without the undertaking."""
    if state == Status.draft:
        seen = actor in {"owner", "colleague"}
    else:
        seen = state in PUBLIC_STATES or actor in MANAGERS
    proposal = 200 if actor in MANAGERS | {"proposer"} else 404
    if not seen:
        return 404, False, proposal, 404
    manager = actor in {"owner", "colleague"} or (actor in MANAGERS and state != Status.draft)
    return 200, manager, proposal, 200 if manager else 403


def test_the_visibility_matrix(client, session):
    c = cast(session)
    users = {
        "rival": c.rival,
        "owner": c.owner,
        "colleague": c.colleague,
        "proposer": c.scientist,
        "other": c.other,
        "coordinator": c.coordinator,
        "admin": c.admin,
    }
    headers = {name: api_token(client, u.email) for name, u in users.items()}
    headers["anonymous"] = {}
    created = client.post("/api/v1/problems", headers=headers["owner"], json=body())
    assert created.status_code == 201, created.text
    problem_id = created.json()["id"]
    upload = client.post(
        f"/api/v1/problems/{problem_id}/attachments",
        headers=headers["owner"],
        files={"file": ("số liệu.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    file_id = upload.json()[0]["id"]
    proposal = Proposal(
        problem_id=problem_id, proposer_id=c.scientist.id, kind="sketch", summary="Ý tưởng"
    )
    session.add(proposal)
    session.commit()
    problem = session.get(Problem, problem_id)

    seen: dict[tuple[str, str], tuple[int, bool, int, int]] = {}
    for state in Status:
        problem.status = state
        session.add(problem)
        session.commit()
        for actor in ACTORS:
            read = client.get(f"/api/v1/problems/{problem_id}", headers=headers[actor])
            shown = read.status_code == 200 and "details" in read.json()
            if read.status_code == 200:
                assert read.json()["abstract"] == ABSTRACT
                assert (read.json().get("details") == DETAILS) is shown
            got_proposal = (
                client.get(f"/api/v1/proposals/{proposal.id}", headers=headers[actor]).status_code
                if actor != "anonymous"
                else 404
            )
            download = client.get(
                f"/api/v1/problems/{problem_id}/attachments/{file_id}", headers=headers[actor]
            )
            if download.status_code == 200:
                assert download.content == PDF
            seen[(state, actor)] = (read.status_code, shown, got_proposal, download.status_code)
    expected = {(s, a): _expected(s, a) for s in Status for a in ACTORS}
    assert {k: v for k, v in seen.items() if v != expected[k]} == {}


def test_the_undertaking_opens_the_details_and_is_logged(client, session):
    c = cast(session)
    owner, reader = api_token(client, c.owner.email), api_token(client, c.scientist.email)
    problem_id = client.post("/api/v1/problems", headers=owner, json=body()).json()["id"]
    file_id = client.post(
        f"/api/v1/problems/{problem_id}/attachments",
        headers=owner,
        files={"file": ("a.pdf", PDF, "application/pdf")},
    ).json()[0]["id"]
    problem = session.get(Problem, problem_id)
    problem.status = "open"
    session.add(problem)
    session.commit()

    before = client.get(f"/api/v1/problems/{problem_id}", headers=reader).json()
    assert ("details" in before, "attachments" in before, before["nda_required"]) == (
        False,
        False,
        True,
    )
    anonymous = client.post(f"/api/v1/problems/{problem_id}/nda")
    assert anonymous.status_code == 401
    accepted = client.post(f"/api/v1/problems/{problem_id}/nda", headers=reader)
    assert accepted.status_code == 200
    assert (accepted.json()["details"], accepted.json()["nda_required"]) == (DETAILS, False)
    assert (
        client.get(f"/api/v1/problems/{problem_id}/attachments/{file_id}", headers=reader).content
        == PDF
    )

    log = client.get(f"/api/v1/problems/{problem_id}/access-log", headers=owner)
    assert [
        (e["seq"], e["user"], e["organisation_name"], e["what"], e["nda_version"])
        for e in log.json()
    ] == [
        (1, "Trần Khoa Học", "Viện Cơ điện Nông nghiệp", "nda", 1),
        (2, "Trần Khoa Học", "Viện Cơ điện Nông nghiệp", "details", 1),
        (3, "Trần Khoa Học", "Viện Cơ điện Nông nghiệp", f"attachment:{file_id}", 1),
    ]
    from app.problems.visibility import ACCESS_LOG

    assert ACCESS_LOG.verify(session, problem_id) == (True, None)
    assert (
        client.get(f"/api/v1/problems/{problem_id}/access-log", headers=reader).status_code == 403
    )
    mine = client.get("/api/v1/problems/mine", headers=owner).json()
    assert mine[0]["figures"]["nda_acceptances"] == 1
    assert today() < problem.deadline
