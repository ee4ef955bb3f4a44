"""Every link a demo role is shown on its home page and in the menu leads somewhere it may go
(issue 10 §2: every button and menu entry a user sees is one they may use), and every form on
those pages that constrains its input is checked by the portal, not by the browser."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from app.db import unit_of_work
from app.demo import DEMO_PASSWORD, USERS, load_demo
from tests.conftest import web_login

HREF = re.compile(r'href="(/[^"#]*)')
TOKEN_IN_URL = re.compile(r'(?:href|action)="[^"]*csrf_token=')
SKIP = ("/static/", "/language/", "/docs", "/account/logout", "/favicon.ico")
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
# What makes a browser check a form itself, in its own language, before the portal can answer
CONSTRAINED = re.compile(r'\srequired[\s>]|type="(?:email|number|url)"|\s(?:min|max|pattern)="')
ACTION = re.compile(r'action="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
# A stage change keeps the browser's check of its reason and confirmation: a refused move is
# answered with the error page (409 for a move the table does not allow), not with the form.
BROWSER_CHECKED = re.compile(r'action="/initiatives/\d+/transition"')
DRAFTS = ("/initiatives/new",)  # saving a draft with nothing typed yet is allowed


def _sign_in(client, email: str | None) -> None:
    client.cookies.clear()
    if email:
        web_login(client, email, DEMO_PASSWORD)


def _crawl(client, email: str | None) -> Iterator[tuple[str, object]]:
    """(link, answer) for each link on the role's home page and profile (or search page)."""
    seen: set[str] = set()
    for start in ("/", "/account/profile" if email else "/search"):
        for href in HREF.findall(client.get(start).text):
            href = href.replace("&amp;", "&")
            if href in seen or href.startswith(SKIP):
                continue
            seen.add(href)
            yield href, client.get(href, follow_redirects=False)


def _constrained_forms(page: str) -> Iterator[tuple[str, str]]:
    """(opening tag, body) of each form that constrains what may be typed in it."""
    for tag, body in FORM.findall(page):
        if CONSTRAINED.search(body):
            yield tag, body


def test_every_link_each_demo_role_is_shown_answers(app, client, worker):
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    refused, checked, leaking, unchecked = [], 0, [], []
    for email in [None, *[u[0] for u in USERS]]:
        _sign_in(client, email)
        for href, answer in _crawl(client, email):
            checked += 1
            if TOKEN_IN_URL.search(answer.text):
                leaking.append((email, href))
            unchecked += [
                (href, " ".join(tag.split())[:80])
                for tag, _body in _constrained_forms(answer.text)
                if "novalidate" not in tag and not BROWSER_CHECKED.search(tag)
            ]
            if answer.status_code >= 400 or (
                answer.status_code in (302, 303, 307)
                and answer.headers["location"].startswith("/account/login")
                and email
            ):
                refused.append((email, href, answer.status_code))
    assert checked > 100  # the crawl really followed the pages' links
    assert refused == []
    assert leaking == []  # the CSRF token is never put in a URL
    # The portal checks them (`novalidate`): a refusal in the page's language that keeps what
    # was typed, never the browser's own bubble in the browser's language.
    assert sorted(set(unchecked)) == []


def test_every_constrained_form_refuses_empty_input_in_the_page_language(app, client, worker):
    """What the browser no longer checks, the portal does: each such form, sent with nothing
    typed, is refused in Vietnamese: the form again with its error summary (400), or, for a
    small form on another page, back to that page with the reason (303 and an error message)."""
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    sent, answers = 0, []
    for email in [None, *[u[0] for u in USERS]]:
        _sign_in(client, email)
        for href, answer in list(_crawl(client, email)):
            for tag, body in _constrained_forms(answer.text):
                if 'method="post"' not in tag or BROWSER_CHECKED.search(tag):
                    continue
                found = ACTION.search(tag)
                action = html.unescape(found.group(1)) if found else href
                if action in DRAFTS:
                    continue
                hidden = {k: html.unescape(v) for k, v in HIDDEN.findall(body)}
                result = client.post(action, data=hidden, follow_redirects=False)
                sent += 1
                if result.status_code == 303:
                    back = client.get(result.headers["location"])
                    refused = 'class="flash flash-error"' in back.text
                else:
                    refused = (
                        result.status_code == 400 and "Vui lòng sửa các mục sau" in result.text
                    )
                if not refused:
                    answers.append((email, action, result.status_code))
    assert sent > 20
    assert answers == []
