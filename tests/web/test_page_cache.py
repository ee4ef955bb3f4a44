"""The page cache under a crowd: a missing entry is rendered once, the generation read once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
from starlette.types import Receive, Scope, Send

from app.web.page_cache import PageCache


def run(*args):
    """anyio.run in a thread of its own: the suite's browser fixture keeps an event loop
    running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, *args).result()


class SlowPage:
    """An ASGI app that takes a while to answer and counts how often it is run."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        number = self.calls
        await anyio.sleep(0.2)
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": f"page {number}".encode()})


class Generation:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> str:
        self.reads += 1
        time.sleep(0.05)  # a read in a thread: the crowd arrives while it runs
        return "g1"


async def crowd(app, path: str, n: int, headers: dict[str, str] | None = None):
    transport = httpx.ASGITransport(app=app)
    answers: list[httpx.Response] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:

        async def one() -> None:
            answers.append(await client.get(path, headers=headers or {}))

        async with anyio.create_task_group() as tg:
            for _ in range(n):
                tg.start_soon(one)
    return answers


def test_a_crowd_missing_one_page_renders_it_once_and_all_get_it():
    page = SlowPage()
    generation = Generation()
    cache = PageCache(page, generation=generation)
    answers = run(crowd, cache, "/catalogue/7", 12)
    assert page.calls == 1
    assert [(a.status_code, a.text) for a in answers] == [(200, "page 1")] * 12
    assert len({a.headers["etag"] for a in answers}) == 1
    assert generation.reads == 1
    other = run(crowd, cache, "/catalogue/8", 3)
    assert page.calls == 2
    assert [a.text for a in other] == ["page 2"] * 3


def test_a_crowd_behind_an_answer_that_is_not_kept_renders_its_own():
    page = SlowPage(status=404)
    generation = Generation()
    cache = PageCache(page, generation=generation)
    answers = run(crowd, cache, "/catalogue/9", 4)
    assert page.calls == 4
    assert sorted(a.text for a in answers) == ["page 1", "page 2", "page 3", "page 4"]
    assert {a.status_code for a in answers} == {404}
    assert all("etag" not in a.headers for a in answers)


def test_signed_in_requests_are_each_rendered():
    page = SlowPage()
    generation = Generation()
    cache = PageCache(page, generation=generation)
    answers = run(crowd, cache, "/catalogue/7", 3, {"Cookie": "portal_session=x"})
    assert page.calls == 3
    assert {a.headers["cache-control"] for a in answers} == {"private, no-store"}
