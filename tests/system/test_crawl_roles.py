"""Every link a demo role is shown on its home page and in the menu leads somewhere it may go
(issue 10 §2: every button and menu entry a user sees is one they may use)."""

from __future__ import annotations

import re

from app.db import unit_of_work
from app.demo import DEMO_PASSWORD, USERS, load_demo
from tests.conftest import csrf_of

HREF = re.compile(r'href="(/[^"#]*)')
TOKEN_IN_URL = re.compile(r'(?:href|action)="[^"]*csrf_token=')
SKIP = ("/static/", "/language/", "/docs", "/account/logout", "/favicon.ico")


def test_every_link_each_demo_role_is_shown_answers(app, client, worker):
    with unit_of_work(app.state.engine) as session:
        load_demo(session)
    worker.drain()
    refused, checked, leaking = [], 0, []
    for email in [None, *[u[0] for u in USERS]]:
        client.cookies.clear()
        if email:
            page = client.get("/account/login")
            client.post(
                "/account/login",
                data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_of(page.text)},
            )
        seen: set[str] = set()
        for start in ("/", "/account/profile" if email else "/search"):
            for href in HREF.findall(client.get(start).text):
                href = href.replace("&amp;", "&")
                if href in seen or href.startswith(SKIP):
                    continue
                seen.add(href)
                answer = client.get(href, follow_redirects=False)
                if TOKEN_IN_URL.search(answer.text):
                    leaking.append((email, href))
                if answer.status_code >= 400 or (
                    answer.status_code in (302, 303, 307)
                    and answer.headers["location"].startswith("/account/login")
                    and email
                ):
                    refused.append((email, href, answer.status_code))
        checked += len(seen)
    assert checked > 100  # the crawl really followed the pages' links
    assert refused == []
    assert leaking == []  # the CSRF token is never put in a URL
