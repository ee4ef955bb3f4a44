"""Coordinators edit the synonym list on a web page; others may not."""

from __future__ import annotations

import json
import re

from app.accounts.models import Role
from tests import factories
from tests.conftest import csrf_of, web_login


def test_coordinator_adds_edits_and_removes_a_group_and_search_follows(
    client, session, corpus, worker
):
    web_login(client, corpus.people.coordinator.email)
    page = client.get("/catalogue/synonyms")
    response = client.post(
        "/catalogue/synonyms",
        data={"terms": "chip, bán dẫn", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    worker.drain()
    assert [h["id"] for h in client.get("/api/v1/search?q=chip").json()["hits"]] == [
        corpus.id("chip")
    ]

    page = client.get("/catalogue/synonyms")
    group_id = re.search(r'action="/catalogue/synonyms/(\d+)"', page.text)[1]
    client.post(
        f"/catalogue/synonyms/{group_id}",
        data={"terms": "chip, vi mạch", "csrf_token": csrf_of(page.text)},
    )
    worker.drain()
    assert client.get("/catalogue/synonyms").text.count('value="chip, vi mạch"') == 1
    client.post(f"/catalogue/synonyms/{group_id}/delete", data={"csrf_token": csrf_of(page.text)})
    worker.drain()
    assert client.get("/api/v1/search?q=chip").json()["total"] == 0


def test_a_group_of_one_word_is_refused_and_what_was_typed_is_kept(client, corpus):
    web_login(client, corpus.people.coordinator.email)
    page = client.get("/catalogue/synonyms")
    response = client.post(
        "/catalogue/synonyms", data={"terms": "chip", "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 400
    assert "Nhập ít nhất hai từ hoặc cụm từ, cách nhau bằng dấu phẩy." in response.text
    assert 'value="chip"' in response.text


def test_only_coordinators_may_edit_synonyms(client, session):
    submitter = factories.user(session, Role.submitter)
    assert client.get("/catalogue/synonyms", follow_redirects=False).status_code == 303
    web_login(client, submitter.email)
    assert client.get("/catalogue/synonyms").status_code == 403


def test_the_migrations_seed_the_synonym_dictionary_and_downgrade_restores_the_old_seed(
    tmp_path,
):
    from sqlalchemy import create_engine, text

    from app.migrate import downgrade, upgrade
    from search.synonyms import SYNONYM_GROUPS

    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    def groups() -> list[list[str]]:
        with create_engine(url).connect() as conn:
            rows = conn.execute(text("SELECT terms FROM synonym_group ORDER BY id"))
            return [json.loads(t) for (t,) in rows]

    upgrade(url)
    seeded = groups()
    assert len(seeded) == len(SYNONYM_GROUPS) >= 150
    for group in (
        ["ai", "trí tuệ nhân tạo", "artificial intelligence"],
        ["llm", "large language model", "mô hình ngôn ngữ lớn"],
        ["heo", "lợn"],
        ["xe hơi", "ô tô", "oto", "xe con"],
        ["shcn", "sở hữu công nghiệp"],
        ["hydrogen", "hydro", "h2", "khí hydro"],
    ):
        assert group in seeded
    downgrade(url, "0013")
    assert groups() == [
        ["ai", "trí tuệ nhân tạo"],
        ["iot", "internet vạn vật"],
        ["5g", "mạng 5g", "di động thế hệ thứ năm"],
        ["bán dẫn", "chip"],
    ]
