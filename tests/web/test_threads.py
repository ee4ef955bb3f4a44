"""A web worker runs at most WEB_THREADS handlers at once (app/web/threads.py)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app


def test_at_most_web_threads_handlers_run_at_once_and_the_rest_wait_their_turn(settings):
    app = create_app(settings.model_copy(update={"web_threads": 2}))
    running, most, lock = [0], [0], threading.Lock()
    router = APIRouter()

    @router.get("/_slow")
    def slow() -> dict[str, int]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return {"ok": 1}

    app.include_router(router)
    with TestClient(app) as client:
        statuses: list[int] = []
        calls = [
            threading.Thread(target=lambda: statuses.append(client.get("/_slow").status_code))
            for _ in range(6)
        ]
        started = time.monotonic()
        for call in calls:
            call.start()
        for call in calls:
            call.join()
        took = time.monotonic() - started
    assert statuses == [200] * 6
    assert most[0] == 2
    assert took >= 0.6  # six handlers of 0.2 s, two at a time


def test_web_threads_must_be_positive():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, web_threads=0)
