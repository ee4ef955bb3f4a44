"""An English reader sees English: the labels, headings, buttons, terms and options of every
page a demo role is shown carry no Vietnamese (issue 10 §6). What people typed (titles,
names, reasons) stays as typed, so only the page's own words are checked."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import String, select
from sqlmodel import AutoString, SQLModel

from app.accounts.models import OrganisationType
from app.catalogue import service as catalogue_service
from app.db import unit_of_work
from app.demo import DEMO_PASSWORD, USERS, load_demo
from app.i18n import use_language
from app.initiatives.labels import ip_status_labels
from app.initiatives.models import Field
from app.problems import labels as problem_labels
from app.problems.models import FundingMode, Scope
from app.problems.workflow import Status as ProblemStatus
from app.system.provinces import PROVINCES
from tests.conftest import web_login

HREF = re.compile(r'href="(/[^"#]*)')
SKIP = ("/static/", "/language/", "/docs", "/account/logout", "/favicon.ico", "/api/")
# The page's own words: labels, table headings, buttons, legends, terms, options, headings.
OWN_WORDS = re.compile(
    r"<(label|th|button|legend|dt|option|h1|h2|h3|summary)\b[^>]*>(.*?)</\1>", re.S
)
TAG = re.compile(r"<[^>]+>")
# Letters only Vietnamese uses (not in English, nor in the names of the demo's people).
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _is_text(column) -> bool:
    return isinstance(column.type, (String, AutoString))


def _typed(session) -> re.Pattern[str]:
    """Everything people typed or named (titles, names, places): shown as typed in any language.

    Not the notifications (the portal's own words) nor the fields' Vietnamese names."""
    values: set[str] = {"Tiếng Việt"}  # the language switch names each language in itself
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "notification":
            continue
        columns = [
            c
            for c in table.columns
            if _is_text(c) and not (table.name == "field" and c.name == "name_vi")
        ]
        for column in columns:
            for (value,) in session.execute(select(column)).all():
                if isinstance(value, str) and VIETNAMESE.search(value):
                    values.update(v.strip() for v in value.splitlines() if v.strip())
    values.update(PROVINCES)
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def test_english_pages_use_english_words(app, client, worker):
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    with unit_of_work(app.state.engine) as session:
        typed = _typed(session)
    found: dict[tuple[str, str], str] = {}
    checked = 0
    for email in [None, *[u[0] for u in USERS]]:
        client.cookies.clear()
        if email:
            web_login(client, email, DEMO_PASSWORD)
        client.get("/language/en?next=/")
        seen: set[str] = set()
        for start in ("/", "/account/profile" if email else "/search"):
            for href in HREF.findall(client.get(start).text):
                href = unescape(href)
                if href in seen or href.startswith(SKIP):
                    continue
                seen.add(href)
                answer = client.get(href)
                assert answer.status_code < 500, href
                if answer.status_code != 200 or "text/html" not in answer.headers.get(
                    "content-type", ""
                ):
                    continue
                for _tag, inner in OWN_WORDS.findall(answer.text):
                    checked += 1
                    text = typed.sub("", " ".join(unescape(TAG.sub(" ", inner)).split()))
                    if VIETNAMESE.search(text):
                        found.setdefault((text[:80], href), str(email))
    assert checked > 2000  # the crawl really read the pages' own words
    assert sorted(found) == []


# A facet list: its heading names the facet, each link's text is the value's label then its count.
FACET = re.compile(r'<h2 id="facet-(\w+)">.*?</h2>(.*?)</section>', re.S)
FACET_VALUE = re.compile(r'>([^<>]*)<span class="n">')


def _facet_values(html: str) -> dict[str, list[str]]:
    return {
        name: [unescape(v).strip() for v in FACET_VALUE.findall(body)]
        for name, body in FACET.findall(html)
    }


def _english_labels(session, labeller, raw: dict[str, list]) -> dict[str, set[str]]:
    with use_language("en"):
        label = labeller(session)
        return {name: {label(name, v) for v in values} for name, values in raw.items()}


def test_english_search_and_problem_pages_name_facet_values_in_english(app, client, worker):
    """The values under each facet (fields, stages, organisation types, IP status, TRL...) are
    the portal's words too: in English on the English page. Provinces are proper names and
    stay as they are."""
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    client.get("/language/en?next=/")
    search = _facet_values(client.get("/search").text)
    problems = _facet_values(client.get("/problems").text)
    with unit_of_work(app.state.engine) as session:
        fields = session.exec(select(Field.code)).scalars().all()
        years = [str(y) for y in range(2000, 2031)]
        catalogue_english = _english_labels(
            session,
            catalogue_service.facet_labeller,
            {
                "field": fields,
                "org_type": list(OrganisationType),
                "ip": list(ip_status_labels()),
                "trl": list(range(1, 10)),
            },
        )
        problem_english = _english_labels(
            session,
            problem_labels.facet_labeller,
            {
                "status": list(ProblemStatus),
                "funding_mode": list(FundingMode),
                "scope": list(Scope),
                "field": fields,
                "trl": [str(n) for n in range(1, 10)],
                "budget": list(problem_labels.budget_labels()),
                "deadline": list(problem_labels.deadline_labels()),
                "owner_type": ["national", *OrganisationType],
            },
        )
    # The demo fills every facet of both pages, so each is really checked.
    assert sorted(search) == ["field", "ip", "org_type", "province", "trl", "year"]
    assert sorted(problems) == sorted(problem_labels.facet_titles())
    for name, values in search.items():
        assert values, name
        if name == "province":
            assert set(values) <= set(PROVINCES)
        elif name == "year":
            assert set(values) <= set(years)
        else:
            assert set(values) <= catalogue_english[name], name
    for name, values in problems.items():
        assert values, name
        if name == "province":
            assert set(values) <= set(PROVINCES)
        else:
            assert set(values) <= problem_english[name], name
    # English labels, not the Vietnamese ones (a field's English name exists for every field).
    shown = [
        v for page in (search, problems) for n, vs in page.items() if n != "province" for v in vs
    ]
    assert [v for v in shown if VIETNAMESE.search(v) or not v] == []
