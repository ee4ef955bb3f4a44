"""The pages: listing, the public page and its non-disclosure gate, posting with bad input,
answering a closed problem, the private thread's page, "my problems" figures."""

from __future__ import annotations

from sqlmodel import select

from app.catalogue import indexing, problem_index
from app.problems.models import Problem, Proposal
from app.problems.visibility import ACCESS_LOG
from tests.conftest import csrf_of, web_login
from tests.problems.helpers import ABSTRACT, DETAILS, TITLE, body, cast, problem, sketch


def test_the_listing_and_the_page_show_the_public_part_only(client, session):
    c = cast(session)
    shown = problem(session, c, "open")
    problem(session, c, "draft", title="Bản nháp chưa công bố")
    indexing.sync(
        session, shown.id, problem_index.PROBLEMS
    )  # arranged directly, not through the outbox
    listing = client.get("/problems")
    assert listing.status_code == 200
    assert TITLE in listing.text and "Bản nháp chưa công bố" not in listing.text
    page = client.get(f"/problems/{shown.id}")
    assert ABSTRACT in page.text and DETAILS not in page.text
    assert f"/account/login?next=/problems/{shown.id}" in page.text


def test_the_undertaking_on_the_page_opens_the_details_and_is_logged(client, session):
    c = cast(session)
    shown = problem(session, c, "open")
    web_login(client, c.scientist.email)
    page = client.get(f"/problems/{shown.id}")
    assert DETAILS not in page.text and "I accept and want to read the details" in page.text
    accepted = client.post(
        f"/problems/{shown.id}/nda", data={"csrf_token": csrf_of(page.text)}, follow_redirects=True
    )
    assert DETAILS in accepted.text
    assert [(e.user_id, e.what) for e in ACCESS_LOG.entries(session, shown.id)] == [
        (c.scientist.id, "nda"),
        (c.scientist.id, "details"),
    ]


def test_posting_with_bad_input_explains_and_saves_nothing(client, session):
    c = cast(session)
    web_login(client, c.owner.email)
    form = client.get("/problems/new")
    assert form.status_code == 200
    data = {
        **{k: v for k, v in body().items() if not isinstance(v, list)},
        "deadline": "2020-01-01",
        "budget_min": "3000000000",
        "budget_max": "1000000000",
        "provinces": "Lâm Đồng",
        "outcome_indicator": "Tỷ lệ thất thoát",
        "outcome_unit": "%",
        "outcome_target": "10",
        "csrf_token": csrf_of(form.text),
    }
    refused = client.post("/problems/new", data=data)
    assert refused.status_code == 400
    assert "The deadline for proposals must be a day after today." in refused.text
    assert "The minimum budget cannot exceed the maximum." in refused.text
    assert session.exec(select(Problem)).all() == []
    data.update(deadline=body()["deadline"], budget_min="500000000")
    saved = client.post("/problems/new", data=data, follow_redirects=False)
    assert saved.status_code == 303
    created = session.exec(select(Problem)).one()
    assert (created.status, created.provinces, created.outcomes) == (
        "draft",
        ["Lâm Đồng"],
        [{"indicator": "Tỷ lệ thất thoát", "unit": "%", "target": 10.0}],
    )
    assert saved.headers["location"] == f"/problems/{created.id}"


def test_the_page_shows_numbers_in_the_readers_format(client, session):
    c = cast(session)
    outcomes = [
        {"indicator": "Thời gian cảnh báo trước", "unit": "giờ", "target": 6},
        {"indicator": "Độ sai lệch", "unit": "%", "target": 2.5},
        {"indicator": "Giá một cảm biến", "unit": "đồng", "target": 500000},
    ]
    shown = problem(session, c, "open", outcomes=outcomes)
    vi = client.get(f"/problems/{shown.id}?lang=vi").text
    assert "Thời gian cảnh báo trước: 6 giờ" in vi and "6.0" not in vi
    assert "Độ sai lệch: 2,5 %" in vi and "Giá một cảm biến: 500.000 đồng" in vi
    assert "500.000.000 – 2.000.000.000" in vi
    en = client.get(f"/problems/{shown.id}?lang=en").text
    assert "Thời gian cảnh báo trước: 6 giờ" in en and "Độ sai lệch: 2.5 %" in en
    assert "Giá một cảm biến: 500,000 đồng" in en and "500,000,000 – 2,000,000,000" in en


def test_the_form_names_a_problem_and_the_portal_checks_it_in_the_readers_language(client, session):
    c = cast(session)
    web_login(client, c.owner.email)
    form = client.get("/problems/new?lang=vi")
    assert '<label for="f-title">Tên bài toán <span class="req"' in form.text
    assert "Tên sáng kiến" not in form.text
    # the browser leaves the checks to the portal, whose messages are translated
    assert '<form method="post" action="/problems/new" novalidate>' in form.text
    typed = {
        "csrf_token": csrf_of(form.text),
        "title": "",
        "abstract": "",
        "pain": "Thất thoát 25 % sản lượng",
        "outcome_indicator": "Tỷ lệ thất thoát",
        "outcome_unit": "%",
        "outcome_target": "2.5",
        "deadline": "",
        "scope": "national",
        "funding_mode": "state_order",
        "ip_terms": "shared",
    }
    refused = client.post("/problems/new", data=typed)
    assert refused.status_code == 400
    assert "Vui lòng sửa các mục sau:" in refused.text
    assert '<a href="#f-title">Trường này là bắt buộc.</a>' in refused.text
    assert '<a href="#f-abstract">Trường này là bắt buộc.</a>' in refused.text
    assert ">Thất thoát 25 % sản lượng</textarea>" in refused.text
    assert 'value="Tỷ lệ thất thoát"' in refused.text and 'value="2.5"' in refused.text
    assert session.exec(select(Problem)).all() == []
    english = client.get("/problems/new?lang=en")
    assert '<label for="f-title">Problem title <span class="req"' in english.text


def test_an_answer_to_a_closed_problem_is_refused_and_nothing_saved(client, session):
    c = cast(session)
    shown = problem(session, c, "closed")
    web_login(client, c.scientist.email)
    page = client.get(f"/problems/{shown.id}")
    assert "Answer this problem" not in page.text
    refused = client.post(
        f"/problems/{shown.id}/proposals",
        data={"kind": "sketch", "summary": "Muộn", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 409
    assert "This problem no longer accepts proposals." in refused.text
    assert session.exec(select(Proposal)).all() == []


def test_the_thread_page_is_for_the_proposer_and_the_owners(client, session):
    c = cast(session)
    shown = problem(session, c, "open")
    proposal = sketch(session, c.scientist, shown)
    web_login(client, c.other.email)
    assert client.get(f"/problems/proposals/{proposal.id}").status_code == 404
    client.cookies.clear()
    web_login(client, c.colleague.email)
    page = client.get(f"/problems/proposals/{proposal.id}")
    assert page.status_code == 200 and "Công thức màng bao bí mật." not in page.text
    client.post(
        f"/problems/proposals/{proposal.id}/messages",
        data={"body": "Nhiệt độ thử nghiệm?", "csrf_token": csrf_of(page.text)},
    )
    client.post(
        f"/problems/proposals/{proposal.id}/shortlist", data={"csrf_token": csrf_of(page.text)}
    )
    after = client.get(f"/problems/proposals/{proposal.id}")
    assert "Nhiệt độ thử nghiệm?" in after.text and "Công thức màng bao bí mật." in after.text
    mine = client.get("/problems/mine")
    assert TITLE in mine.text
