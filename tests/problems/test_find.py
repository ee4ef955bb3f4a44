"""Finding problems: accents optional, facet counts, only open and awarded problems, and a
phrase of the confidential details never matches."""

from __future__ import annotations

from app.accounts.models import Role
from app.catalogue import indexing, problem_index
from app.db import unit_of_work
from app.problems import service
from app.problems.schemas import ProblemIn
from tests import factories
from tests.problems.helpers import TITLE, body, cast, problem


def _reindex() -> None:
    from app.config import get_settings
    from app.db import make_engine

    with unit_of_work(make_engine(get_settings().db_url)) as session:
        indexing.reindex(session, kind=problem_index.PROBLEMS)


def _ids(client, **params) -> list[int]:
    # The states below are set directly, not through the outbox: rebuild the index from the
    # database (tests/catalogue/test_problem_index.py covers the outbox path).
    _reindex()
    response = client.get("/api/v1/problems", params=params)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


def test_an_unaccented_query_finds_the_problem_and_facets_count(client, session):
    c = cast(session)
    first = problem(session, c, "open")
    second = problem(
        session,
        c,
        "awarded",
        title="Cảm biến độ ẩm đất",
        abstract="Đo độ ẩm đất vườn cà phê.",
        pain="Tưới sai lịch.",
        provinces=["Sơn La"],
        funding_mode="prize",
        budget_min=None,
        budget_max=6_000_000_000,
        target_trl=5,
    )
    problem(session, c, "closed", title="Thất thoát điện năng")
    problem(session, c, "draft", title="Thất thoát nước sạch")
    national = service.create(
        session,
        c.coordinator,
        ProblemIn.model_validate(
            body(
                title="Thất thoát sau thu hoạch lúa",
                abstract="Giảm hao hụt lúa khi phơi sấy.",
                scope="national",
                provinces=[],
            )
        ),
    )
    national.status = "open"
    session.add(national)
    session.commit()

    assert _ids(client, q="that thoat") == sorted([national.id, first.id], reverse=True)
    assert _ids(client, q="THẤT thoát thanh long") == [first.id]
    assert _ids(client, q="cam bien do am") == [second.id]
    facets = client.get("/api/v1/problems").json()["facets"]
    assert facets["status"] == {"awarded": 1, "open": 2}
    assert facets["province"] == {"Lâm Đồng": 1, "Sơn La": 1}
    assert facets["funding_mode"] == {"enterprise_led": 2, "prize": 1}
    assert facets["budget"] == {"1b_5b": 2, "over_5b": 1}
    assert facets["trl"] == {"5": 1, "7": 2}
    assert facets["owner_type"] == {"enterprise": 2, "national": 1}
    assert facets["scope"] == {"national": 1, "provinces": 2}
    # A filter narrows the items; its own facet still counts the other values.
    filtered = client.get("/api/v1/problems", params={"funding_mode": "prize"}).json()
    assert [p["id"] for p in filtered["items"]] == [second.id]
    assert filtered["facets"]["funding_mode"] == {"enterprise_led": 2, "prize": 1}
    assert filtered["facets"]["province"] == {"Sơn La": 1}


def test_closed_problems_and_confidential_details_are_not_found(client, session):
    c = cast(session)
    shown = problem(session, c, "open")
    assert _ids(client, q="ZXQ-4471") == []  # a phrase of the confidential details
    # only "doanh" (doanh nghiệp, in the public part) is found, and the answer says so
    _reindex()
    relaxed = client.get("/api/v1/problems", params={"q": "bi mat kinh doanh"}).json()
    assert relaxed["ignored"] == ["bi", "mat", "kinh"]
    assert _ids(client, q="ZXQ-4471 doanh") == [shown.id]  # ignoring the confidential words
    assert "details" not in client.get("/api/v1/problems").json()["items"][0]
    for state in ("closed", "evaluating", "in_progress", "unpublished", "cancelled"):
        shown.status = state
        session.add(shown)
        session.commit()
        assert _ids(client, q="thanh long") == [], state
    _reindex()
    page = client.get("/problems", params={"q": "thanh long"})
    assert TITLE not in page.text


def test_the_listing_page_searches_and_shows_facets(client, session):
    c = cast(session)
    problem(session, c, "open")
    factories.user(session, Role.agency)
    _reindex()
    page = client.get("/problems", params={"q": "thanh long", "lang": "en"})
    assert page.status_code == 200
    assert TITLE in page.text
    assert "Enterprise-led, enterprise pays at least 50 %" in page.text
    assert 'Lâm Đồng <span class="n">1</span></a>' in page.text
    # Facet values are named in the reader's language, never by their codes.
    assert 'Agriculture, natural resources and environment <span class="n">1</span>' in page.text
    assert 'Enterprise <span class="n">1</span>' in page.text
    assert "agriculture_environment</a>" not in page.text
    vi = client.get("/problems", params={"lang": "vi"}).text
    assert 'Nông nghiệp, tài nguyên và môi trường <span class="n">1</span>' in vi
    assert 'Doanh nghiệp <span class="n">1</span>' in vi
    relaxed = client.get("/problems", params={"q": "sau rieng", "lang": "en"}).text
    assert "No results contain “rieng”; showing results for “sau”." in relaxed
    assert TITLE in relaxed
    assert TITLE not in client.get("/problems", params={"q": "rieng"}).text
