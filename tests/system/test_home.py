"""A home for each person: one block per role, and figures and the latest for visitors (§5)."""

from __future__ import annotations

import re

from app.accounts.models import Role
from app.initiatives.workflow import Status
from app.publication import service as publication
from tests import factories, process
from tests.conftest import web_login
from tests.initiatives import helpers as initiatives
from tests.reviews import helpers as h

BLOCK = re.compile(r'aria-labelledby="home-(\w+)"')


def test_each_person_sees_the_blocks_of_their_roles(client, session):
    author = factories.user(session, Role.submitter, email="tg@vien.vn")
    boss = factories.user(session, Role.coordinator, email="dp@bo.gov.vn")
    investor = factories.user(session, Role.investor, email="dt@quy.vn")
    expert = h.reviewer(session, "Chuyên Gia")
    shown = initiatives.initiative(session, author, title="Đèn năng lượng mặt trời")
    process.walk(session, shown, Status.published, submitter=author, coordinator=boss)
    chosen = initiatives.initiative(session, author, title="Máy lọc nước nhiễm mặn")
    process.walk(session, chosen, Status.selected, submitter=author, coordinator=boss)
    publication.propose_summary(session, boss, chosen, "Tóm tắt đề xuất.")
    waiting = h.screened(session, title="Cảm biến độ ẩm đất")
    round = h.open_round(session, boss, [waiting])
    from app.reviews import service as reviews

    reviews.assign(session, boss, round, waiting, expert)
    session.commit()

    anonymous = client.get("/").text
    assert BLOCK.findall(anonymous) == ["public"]
    assert "Đèn năng lượng mặt trời" in anonymous and "Máy lọc nước nhiễm mặn" not in anonymous

    web_login(client, author.email)
    page = client.get("/").text
    assert BLOCK.findall(page) == ["submitter", "public"]
    assert "Có đề xuất tóm tắt công khai cho “Máy lọc nước nhiễm mặn”" in page

    web_login(client, expert.email)
    page = client.get("/").text
    assert BLOCK.findall(page) == ["reviewer", "public"]
    assert "Cảm biến độ ẩm đất" in page and "lời mời cần trả lời" in page
    assert 'href="/initiatives/new"' not in page  # no button it may not use

    web_login(client, boss.email)
    page = client.get("/").text
    assert BLOCK.findall(page) == ["coordinator", "public"]
    assert "1 được lựa chọn, chờ công bố" in page and "1 đang đánh giá" in page

    web_login(client, investor.email)
    assert BLOCK.findall(client.get("/").text) == ["requester", "public"]
