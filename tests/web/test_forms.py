"""The one refused-form path (app/web/forms.py) and the unit of work's refusal guarantee, on both databases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, select
from starlette.datastructures import FormData

from app import errors
from app.accounts.models import Organisation, OrganisationType
from app.db import keep, refuse, unit_of_work
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.web.forms import Refusal, parse_form, submit_form


class NameForm(BaseModel):
    name: str = Field(min_length=2, max_length=50)


def _names(app) -> list[str]:
    with Session(app.state.engine) as session:
        return sorted(o.name for o in session.exec(select(Organisation)))


def _add(session: Session, name: str) -> Organisation:
    org = Organisation(name=name, type=OrganisationType.university)
    session.add(org)
    session.flush()
    return org


def _run(app, form: dict, verb, **kwargs):
    """Run `submit_form` inside a unit of work, as a page handler does."""
    seen: dict = {}
    with unit_of_work(app.state.engine) as session:

        def again(refusal: Refusal):
            seen["refusal"] = refusal
            seen["names_when_shown_again"] = sorted(
                o.name for o in session.exec(select(Organisation))
            )
            return PlainTextResponse("again", status_code=refusal.status)

        response = submit_form(
            session,
            FormData(form),
            NameForm,
            lambda data: verb(session, data),
            done=lambda org: PlainTextResponse(f"done {org.name}"),
            again=again,
            **kwargs,
        )
    return response, seen


def test_an_accepted_form_commits_what_the_verb_did(app):
    response, seen = _run(app, {"name": "Viện Toán học"}, lambda s, d: _add(s, d.name))
    assert (response.status_code, response.body) == (200, "done Viện Toán học".encode())
    assert seen == {}
    assert _names(app) == ["Viện Toán học"]


def test_a_refused_verb_leaves_no_row_behind(app):
    def verb(session, data):
        _add(session, data.name)  # written, then the verb refuses
        raise Conflict("Tên này đã có.")

    response, seen = _run(app, {"name": "Viện Toán học"}, verb)
    assert response.status_code == 409
    assert seen["refusal"] == Refusal(
        errors={"__all__": "Tên này đã có."}, message="Tên này đã có.", status=409
    )
    assert seen["names_when_shown_again"] == []  # undone before the form is shown again
    assert seen["refusal"].field_errors == {}
    assert seen["refusal"].on("name") == {"name": "Tên này đã có."}
    assert _names(app) == []


def test_field_errors_of_a_refusal_are_shown_and_422_answers_400(app):
    def verb(session, data):
        _add(session, data.name)
        raise ValidationFailed("Sai.", errors={"name": "Tên đã dùng."}, similar=[1])

    response, seen = _run(app, {"name": "Viện Toán học"}, verb)
    assert response.status_code == 400
    assert seen["refusal"] == Refusal(
        errors={"name": "Tên đã dùng."}, message="Sai.", status=400, extra={"similar": [1]}
    )
    assert _names(app) == []


def test_bad_input_never_calls_the_verb_and_commits_nothing(app):
    calls = []
    response, seen = _run(app, {"name": "x"}, lambda s, d: calls.append(d))
    assert response.status_code == 400
    assert calls == []
    assert seen["refusal"].errors == {"name": "Hãy nhập ít nhất 2 ký tự."}


@pytest.mark.parametrize("error", [PermissionDenied("Không."), NotFound("Không có.")])
def test_permission_and_not_found_go_to_the_error_page_and_roll_back(app, error):
    def verb(session, data):
        _add(session, data.name)
        raise error

    with pytest.raises(type(error)):
        _run(app, {"name": "Viện Toán học"}, verb)
    assert _names(app) == []


def test_catch_narrows_what_is_shown_again(app):
    def verb(session, data):
        _add(session, data.name)
        raise Conflict("Không được.")

    with pytest.raises(Conflict):
        _run(app, {"name": "Viện Toán học"}, verb, catch=ValidationFailed)
    assert _names(app) == []


def test_a_parser_function_and_no_parser(app):
    with unit_of_work(app.state.engine) as session:
        shown = submit_form(
            session,
            FormData({"name": "a"}),
            lambda form: (None, {"name": "Tên quá ngắn."}),
            lambda data: None,
            done=lambda _r: PlainTextResponse("done"),
            again=lambda r: PlainTextResponse(r.errors["name"], status_code=r.status),
        )
        passed = submit_form(
            session,
            FormData({"name": "Viện"}),
            None,
            lambda form: form["name"],
            done=lambda name: PlainTextResponse(name),
            again=lambda r: PlainTextResponse("again"),
        )
    assert (shown.status_code, shown.body) == (400, "Tên quá ngắn.".encode())
    assert passed.body == "Viện".encode()


def test_kept_work_survives_a_later_refusal_and_nothing_after_it_is_committed(app):
    with unit_of_work(app.state.engine) as session:
        _add(session, "Bản nháp")
        keep(session, why="the draft is saved even when its submission is refused")
        _add(session, "Nộp")
        refuse(session)
        _add(session, "Sau khi bị từ chối")  # written after the refusal: rolled back too
    assert _names(app) == ["Bản nháp"]


def test_keep_needs_a_reason_and_cannot_follow_a_refusal(app):
    with unit_of_work(app.state.engine) as session:
        with pytest.raises(ValueError, match="reason"):
            keep(session, why=" ")
        refuse(session)
        with pytest.raises(RuntimeError, match="after refuse"):
            keep(session, why="too late")


def test_parse_form_answers_the_model_or_field_errors():
    assert parse_form(NameForm, FormData({})) == (None, {"name": "Trường này là bắt buộc."})
    assert parse_form(NameForm, FormData({"name": " Viện "})) == (NameForm(name="Viện"), {})


# -- the rule, checked on the source ------------------------------------------
APP = Path(__file__).resolve().parents[2] / "app"
DOMAIN_ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
}


def _web_modules() -> list[Path]:
    return [
        path
        for path in sorted(APP.rglob("*.py"))
        if "router = APIRouter(" in path.read_text(encoding="utf-8")
    ]


def test_no_handler_swallows_a_refusal_without_rolling_back():
    """A `DomainError` caught in a route module is a refusal: `submit_form` or `refuse(session)`."""
    found = []
    for path in _web_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            calls = {
                n.func.id
                for n in ast.walk(ast.Module(body=node.body, type_ignores=[]))
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            }
            reraises = any(isinstance(n, ast.Raise) for n in ast.walk(node))
            if caught & DOMAIN_ERRORS and "refuse" not in calls and not reraises:
                found.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert found == []
    assert len(_web_modules()) > 15
