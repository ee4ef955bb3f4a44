"""The monitoring feed: the weekly indicators as versioned JSON, aggregates only."""

from __future__ import annotations

from app.accounts.models import Role
from app.partners.models import SCOPE_STATISTICS
from tests import factories
from tests.partners import helpers
from tests.subscriptions import helpers as publishing


def test_the_weekly_indicators_are_versioned_json_without_names(client, session):
    submitter = factories.user(session, Role.submitter)
    publishing.submitted(session, submitter, title="Tên không được lộ ra")
    partner, secret = helpers.partner(session, scopes=(SCOPE_STATISTICS,))
    access = helpers.bearer(helpers.token(client, partner, secret))
    answer = client.get("/api/v1/partners/monitoring/weekly?week=2026-W08", headers=access)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["schema"], body["version"], body["iso_week"], body["week_start"]) == (
        "portal.weekly-indicators",
        1,
        "2026-W08",
        "2026-02-16",
    )
    assert body["final"] is False
    assert sorted(body["indicators"]) == sorted(
        [
            "kpis",
            "funnel",
            "acceptance_rate",
            "decided_on_time_share",
            "stages",
            "top_fields",
            "top_provinces",
        ]
    )
    assert [k["key"] for k in body["indicators"]["kpis"]][:2] == ["received", "selected"]
    assert "Tên không được lộ ra" not in answer.text
    bad = client.get("/api/v1/partners/monitoring/weekly?week=2026-02-17", headers=access)
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["week"])
