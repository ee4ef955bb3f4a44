from __future__ import annotations

from app.system import service


def test_liveness(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readiness_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] is True


def test_readiness_fails_when_a_dependency_is_down(client):
    service.readiness_checks["probe"] = lambda: False
    try:
        response = client.get("/readyz")
    finally:
        del service.readiness_checks["probe"]
    assert response.status_code == 503
    assert response.json()["checks"]["probe"] is False


def test_language_switch_only_redirects_within_the_site(client):
    response = client.get("/language/en?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"
