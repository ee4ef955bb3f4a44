"""One error family, rendered as HTML for browsers and problem+json for the API."""

from __future__ import annotations

from fastapi import APIRouter

from app.errors import Conflict


def test_unknown_api_path_is_problem_json(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert response.json()["instance"] == "/api/v1/does-not-exist"


def test_unknown_page_is_an_html_page_in_vietnamese(client):
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy trang" in response.text


def test_english_is_a_switch_away(client):
    client.get("/language/en")
    assert "Page not found" in client.get("/khong-co").text


def test_a_domain_error_keeps_its_status_and_message(app, client):
    router = APIRouter()

    @router.get("/api/v1/_conflict")
    def conflict():
        raise Conflict("Không thể.", allowed=["submitted"])

    app.include_router(router)
    response = client.get("/api/v1/_conflict")
    assert response.status_code == 409
    assert response.json() == {
        "type": "/problems/conflict",
        "title": "Hiện không thể thực hiện",
        "status": 409,
        "detail": "Không thể.",
        "instance": "/api/v1/_conflict",
        "allowed": ["submitted"],
    }


def test_an_unexpected_error_shows_no_stack_trace(app, client):
    router = APIRouter()

    @router.get("/_boom")
    def boom():
        raise ZeroDivisionError("secret internals")

    app.include_router(router)
    response = client.get("/_boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "Mã tham chiếu" in response.text


def test_invalid_api_input_is_422_problem_json_with_field_errors(client):
    response = client.post("/api/v1/auth/token", data={"username": "a@b.vn"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"password": "Trường này là bắt buộc."}


def test_api_honours_accept_language(client):
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.json()["detail"] == "Please sign in to continue."


def test_a_malformed_id_in_the_address_is_not_found(client):
    assert client.get("/initiatives/khong-phai-so").status_code == 404
    response = client.get("/api/v1/initiatives/abc")
    assert (response.status_code, response.json()["status"]) == (404, 404)
