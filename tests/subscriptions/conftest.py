"""People and fields shared by the subscription tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.models import Role, User
from tests import factories
from tests.subscriptions import helpers


@dataclass
class People:
    investor: User
    submitter: User
    coordinator: User


@pytest.fixture
def people(session) -> People:
    helpers.field(session, "industry_energy")  # seeds the taxonomy
    return People(
        investor=factories.user(session, Role.investor, full_name="Đỗ Nhà Đầu Tư", language="en"),
        submitter=factories.user(session, Role.submitter, full_name="Trần Thị Bình"),
        coordinator=factories.user(session, Role.coordinator, full_name="Phạm Điều Phối"),
    )
