"""The whole story in a real browser: an enterprise posts a problem, a coordinator publishes it,
a scientist finds it without accents, accepts the undertaking, reads the details and proposes an
initiative; the owner asks a question, shortlists and, after the deadline, awards."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import utcnow
from app.problems import service
from app.problems.models import Problem, Proposal
from app.problems.visibility import ACCESS_LOG
from tests.conftest import PASSWORD
from tests.fixtures.browser import live_app
from tests.initiatives.helpers import initiative as make_initiative
from tests.problems.helpers import ABSTRACT, DETAILS, TITLE, body, cast


def _sign_in(page, base_url, email):
    page.goto(f"{base_url}/account/login")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("main").get_by_role("button").click()
    page.wait_for_url(f"{base_url}/")


def _sign_out(page):
    page.locator(".user-nav form button").click()


@pytest.mark.browser
def test_post_publish_find_read_propose_ask_shortlist_award(app, session, page):
    c = cast(session)
    published = make_initiative(session, c.scientist, status="published")
    values = body()
    with live_app(app) as base_url:
        _sign_in(page, base_url, c.owner.email)
        page.goto(f"{base_url}/problems/new")
        for name in ("title", "abstract", "pain", "details", "deadline"):
            page.locator(f"#f-{name}").fill(str(values[name]))
        page.locator("#f-scope").select_option("provinces")
        page.locator("#f-provinces").select_option("Lâm Đồng")
        page.locator("#f-funding_mode").select_option("enterprise_led")
        page.locator("#f-budget_min").fill("500000000")
        page.locator("#f-budget_max").fill("2000000000")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/problems/\d+$"))
        problem_id = int(page.url.rsplit("/", 1)[1])
        page.locator("form:has(input[name=to][value=submitted]) button").click()
        page.wait_for_url(f"{base_url}/problems/{problem_id}")
        _sign_out(page)

        _sign_in(page, base_url, c.coordinator.email)
        page.goto(f"{base_url}/problems/{problem_id}")
        page.locator("form:has(input[name=to][value=open]) button").click()
        page.wait_for_url(f"{base_url}/problems/{problem_id}")
        _sign_out(page)
        app.state.worker.drain()  # the outbox puts the opened problem in the search index

        _sign_in(page, base_url, c.scientist.email)
        page.goto(f"{base_url}/problems")
        page.locator("#problem-q").fill("giam that thoat thanh long")
        page.locator("form[role=search] button").click()
        page.get_by_role("link", name=TITLE).click()
        page.wait_for_url(f"{base_url}/problems/{problem_id}")
        assert page.get_by_text(ABSTRACT).is_visible()
        assert page.get_by_text(DETAILS).count() == 0
        page.locator("form.nda button").click()
        page.wait_for_url(re.compile(rf".*/problems/{problem_id}#details$"))
        assert page.get_by_text(DETAILS).is_visible()
        page.locator("#f-kind").select_option("initiative")
        page.locator("#f-initiative_id").select_option(str(published.id))
        page.locator("#f-summary").fill("Sáng kiến đã thử ở Lâm Đồng.")
        page.locator("#propose button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/problems/proposals/\d+$"))
        proposal_id = int(page.url.rsplit("/", 1)[1])
        _sign_out(page)

        _sign_in(page, base_url, c.owner.email)
        page.goto(f"{base_url}/problems/proposals/{proposal_id}")
        assert page.get_by_text(published.title).first.is_visible()
        page.locator("#f-body").fill("Đã thử trên 35 °C chưa?")
        page.locator("#thread button[type=submit]").click()
        page.wait_for_url(re.compile(r".*#thread$"))
        assert page.get_by_text("Đã thử trên 35 °C chưa?").is_visible()
        page.locator("form[action$='/shortlist'] button").click()
        page.wait_for_url(f"{base_url}/problems/proposals/{proposal_id}")

        session.commit()
        service.run_deadlines(session, utcnow() + timedelta(days=31))
        session.commit()

        page.goto(f"{base_url}/problems/{problem_id}")
        page.locator(f"#award-{proposal_id}").check()
        page.locator("#proposals button[type=submit]").click()
        page.wait_for_url(f"{base_url}/problems/{problem_id}")

    session.rollback()
    problem = session.get(Problem, problem_id)
    assert problem.status == "awarded"
    assert session.exec(select(Proposal.status)).all() == ["awarded"]
    assert [(e.user_id, e.what) for e in ACCESS_LOG.entries(session, problem_id)][:2] == [
        (c.scientist.id, "nda"),
        (c.scientist.id, "details"),
    ]
