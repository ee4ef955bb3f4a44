"""Rubrics: the seeded default, and change protection once scores use one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import Conflict
from app.reviews import rubrics
from app.reviews.models import Rubric
from app.reviews.schemas import CriterionIn
from tests.conftest import api_token, csrf_of, web_login
from tests.reviews import helpers as h


def _migration(name: str = "0003_reviews"):
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name[:4]}", path)
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
    described = _migration("0025_bilingual_criteria_and_automatic_subscription_names")
    assert {c[0]: c[3] for c in rubrics.DEFAULT_CRITERIA} == described.DEFAULT_DESCRIPTIONS_VI
    assert described.DEFAULT_DESCRIPTIONS_EN == rubrics.DEFAULT_DESCRIPTIONS_EN


NOVELTY_VI = "Ý tưởng, giải pháp mới so với những gì đã có; mức độ sáng tạo."
NOVELTY_EN = (
    "How new the idea or solution is compared with what already exists; the degree of creativity."
)


def test_the_review_form_describes_each_criterion_in_the_page_language(client, session):
    boss, person = h.coordinator(session), h.reviewer(session)
    item = h.screened(session)
    row = h.cleared(session, h.open_round(session, boss, [item]), item, person, boss)
    web_login(client, person.email)
    page = f"/reviews/assignments/{row.id}/review"
    english = client.get(page + "?lang=en").text
    assert f'<p class="hint">{NOVELTY_EN}</p>' in english
    assert NOVELTY_VI not in english
    vietnamese = client.get(page + "?lang=vi").text
    assert f'<p class="hint">{NOVELTY_VI}</p>' in vietnamese
    assert NOVELTY_EN not in vietnamese


def test_the_coordinator_form_edits_both_descriptions(client, session):
    boss = h.coordinator(session)
    rubric = rubrics.default_rubric(session)
    session.commit()
    web_login(client, boss.email)
    form = client.get(f"/reviews/rubrics/{rubric.id}")
    assert f">{NOVELTY_VI}</textarea>" in form.text and f">{NOVELTY_EN}</textarea>" in form.text
    saved = client.post(
        "/reviews/rubrics/new",
        data={
            "csrf_token": csrf_of(client.get("/reviews/rubrics/new").text),
            "name": "Chuyển đổi số",
            "rows": "2",
            "code_0": "digital",
            "name_vi_0": "Mức độ số hóa",
            "name_en_0": "Level of digitalisation",
            "description_vi_0": "Quy trình được số hóa đến đâu.",
            "description_en_0": "How far the process is digitalised.",
            "code_1": "cost",
            "name_vi_1": "Chi phí",
            "description_vi_1": "Chi phí triển khai hợp lý.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    created = session.exec(select(Rubric).where(Rubric.name == "Chuyển đổi số")).one()
    assert [(c.description_vi, c.description_en) for c in created.criteria] == [
        ("Quy trình được số hóa đến đâu.", "How far the process is digitalised."),
        # like the name, a criterion left undescribed in English shows its Vietnamese text
        ("Chi phí triển khai hợp lý.", "Chi phí triển khai hợp lý."),
    ]


def test_the_api_shows_and_takes_both_descriptions(client, session):
    boss = h.coordinator(session)
    rubric = rubrics.default_rubric(session)
    session.commit()
    token = api_token(client, boss.email)
    shown = client.get(f"/api/v1/rubrics/{rubric.id}", headers=token).json()["criteria"][0]
    assert (shown["name_vi"], shown["name_en"]) == (
        "Tính mới và sáng tạo",
        "Novelty and creativity",
    )
    assert (shown["description_vi"], shown["description_en"]) == (NOVELTY_VI, NOVELTY_EN)
    assert shown["description"] == NOVELTY_VI  # the name older clients read
    body = {
        "name": "Chuyển đổi số",
        "criteria": [
            {
                "code": "digital",
                "name_vi": "Mức độ số hóa",
                "description_vi": "Quy trình được số hóa đến đâu.",
                "description_en": "How far the process is digitalised.",
            },
            # the field's earlier name still sets the Vietnamese description
            {"code": "cost", "name_vi": "Chi phí", "description": "Chi phí hợp lý."},
        ],
    }
    created = client.post("/api/v1/rubrics", headers=token, json=body)
    assert created.status_code == 201
    assert [(c["description_vi"], c["description_en"]) for c in created.json()["criteria"]] == [
        ("Quy trình được số hóa đến đâu.", "How far the process is digitalised."),
        ("Chi phí hợp lý.", "Chi phí hợp lý."),
    ]


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
