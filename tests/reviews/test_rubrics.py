"""Rubrics: the seeded default, and change protection once scores use one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from app.errors import Conflict
from app.reviews import rubrics
from app.reviews.schemas import CriterionIn
from tests.conftest import api_token
from tests.reviews import helpers as h


def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0003_reviews.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_seeded_rubric_is_the_one_the_code_recreates():
    seeded = _migration()
    assert (seeded.DEFAULT_NAME, seeded.DEFAULT_DESCRIPTION, seeded.DEFAULT_CRITERIA) == (
        rubrics.DEFAULT_NAME,
        rubrics.DEFAULT_DESCRIPTION,
        rubrics.DEFAULT_CRITERIA,
    )


def test_the_default_rubric_has_the_five_published_criteria(session):
    rubric = rubrics.default_rubric(session)
    assert [c.code for c in rubric.criteria] == list(h.CODES)
    assert [c.weight for c in rubric.criteria] == [1.0] * 5


def _criteria(rubric, **changes):
    rows = [
        CriterionIn(code=c.code, name_vi=c.name_vi, name_en=c.name_en, weight=c.weight)
        for c in rubric.criteria
    ]
    for k, weight in changes.items():
        rows[int(k[1:])].weight = weight
    return rows


@pytest.fixture
def used(session):
    """The default rubric with one submitted review scored against it."""
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    round = h.open_round(session, boss, [item])
    h.submit(session, person, h.cleared(session, round, item, person, boss), 8, 7, 6, 9, 5)
    return boss, rubrics.default_rubric(session)


def test_an_unused_rubric_can_change_its_weights(session):
    boss = h.coordinator(session)
    rubric = rubrics.default_rubric(session)
    rubrics.update_rubric(
        session, boss, rubric, name=rubric.name, criteria=_criteria(rubric, w0=3.0)
    )
    assert rubric.criteria[0].weight == 3.0


def test_a_rubric_in_use_refuses_a_weight_change(session, used):
    boss, rubric = used
    with pytest.raises(Conflict) as refused:
        rubrics.update_rubric(
            session, boss, rubric, name=rubric.name, criteria=_criteria(rubric, w0=3.0)
        )
    assert refused.value.code == "rubric-in-use"


def test_a_rubric_in_use_may_be_renamed(session, used):
    boss, rubric = used
    rubrics.update_rubric(session, boss, rubric, name="Tên mới", criteria=_criteria(rubric))
    assert rubric.name == "Tên mới"


def test_a_new_version_of_a_rubric_in_use_can_change(session, used):
    boss, rubric = used
    copy = rubrics.new_version(session, boss, rubric)
    rubrics.update_rubric(session, boss, copy, name=copy.name, criteria=_criteria(copy, w0=3.0))
    assert (copy.version, copy.previous_id, copy.criteria[0].weight) == (2, rubric.id, 3.0)
    assert rubric.criteria[0].weight == 1.0


def test_the_api_answers_409_for_a_rubric_in_use(client, session, used):
    boss, rubric = used
    body = {"name": rubric.name, "criteria": [c.model_dump() for c in _criteria(rubric, w1=2.0)]}
    answer = client.put(
        f"/api/v1/rubrics/{rubric.id}", headers=api_token(client, boss.email), json=body
    )
    assert answer.status_code == 409 and answer.json()["type"] == "/problems/rubric-in-use"
