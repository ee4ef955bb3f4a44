"""A crowd larger than the connection pool on the public pages: no deadlock, no error.

A page reads everything (its own data, the exchange panel, the header's
unread count) through the request's one session. The test serves the app
with uvicorn on a real socket, sends more simultaneous requests than the
pool has connections, and checks both that every answer is a 200 and that no
request ever held two connections at once (the cause of the old deadlock:
the panel opened a second session while the page's own kept its connection).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import event

from tests.catalogue.conftest import Corpus

_held: ContextVar[dict[str, int] | None] = ContextVar("held", default=None)


class CountConnections:
    """ASGI wrapper: a per-request counter of pool connections held at once."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.most = 0
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = _held.set({"now": 0})
        try:
            await self.app(scope, receive, send)
        finally:
            _held.reset(token)

    def checkout(self, *_: Any) -> None:
        held = _held.get()
        if held is not None:
            held["now"] += 1
            with self.lock:
                self.most = max(self.most, held["now"])

    def checkin(self, *_: Any) -> None:
        held = _held.get()
        if held is not None:
            held["now"] -= 1


@pytest.fixture
def served(app) -> Iterator[tuple[str, CountConnections]]:
    counter = CountConnections(app)
    pool = app.state.engine.pool
    event.listen(pool, "checkout", counter.checkout)
    event.listen(pool, "checkin", counter.checkin)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(counter, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}", counter
    server.should_exit = True
    thread.join(10)
    event.remove(pool, "checkout", counter.checkout)
    event.remove(pool, "checkin", counter.checkin)


def test_more_clients_than_pool_connections_all_get_the_page(app, corpus: Corpus, served):
    base, counter = served
    pool = app.state.engine.pool
    capacity = pool.size() + pool._max_overflow
    clients = capacity + 10
    paths = [f"/catalogue/{corpus.id('solar')}", "/search", "/search?q=năng+lượng&field=CNXD"]

    def fetch(i: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as http:
            statuses = [http.get(paths[(i + k) % len(paths)]).status_code for k in range(3)]
        return max(statuses) if all(s == 200 for s in statuses) else min(s for s in statuses)

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as crowd:
        statuses = list(crowd.map(fetch, range(clients)))
    elapsed = time.monotonic() - started

    assert statuses == [200] * clients
    assert counter.most == 1  # one connection per request, never two
    assert elapsed < 25  # a deadlock would wait for the pool's 30 s timeout
