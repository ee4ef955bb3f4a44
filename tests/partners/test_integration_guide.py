"""docs/integration.md: every `bash` example is run, in order, against a live server."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from sqlmodel import select

from app.partners.models import ForwardedInitiative, PartnerCall
from tests.fixtures.browser import serve_app
from tests.partners import helpers

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_guide_is_bilingual_and_has_an_example_per_partner_endpoint():
    text = GUIDE.read_text(encoding="utf-8")
    assert "Hướng dẫn kết nối" in text and "Integration guide" in text
    script = "\n".join(bash_blocks())
    for path in (
        "/api/v1/partners/token",
        "/api/v1/partners/initiatives",
        "/api/v1/partners/initiatives/LGSP-HN-2026-000123",
        "/api/v1/changes",
        "/api/v1/partners/monitoring/weekly",
    ):
        assert path in script


def test_the_guide_examples_run_against_a_live_server(app, session, tmp_path):
    partner, secret = helpers.partner(session)
    (tmp_path / "thuyet-minh.pdf").write_bytes(helpers.PDF)
    script = "set -euo pipefail\n" + "\n".join(bash_blocks())
    base, stop = serve_app(app)
    try:
        run = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env={
                "PATH": os.environ["PATH"],
                "PORTAL": base,
                "CLIENT_ID": partner.client_id,
                "CLIENT_SECRET": secret,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop()
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines[0] == "token: pt_..."
    forwarded, status, changes, weekly = (json.loads(line) for line in lines[1:])
    assert (forwarded["created"], forwarded["status"]) == (True, "submitted")
    assert status["receipt_code"] == forwarded["receipt_code"]
    assert changes == {"changes": [], "next_cursor": changes["next_cursor"], "has_more": False}
    assert (weekly["schema"], weekly["iso_week"]) == ("portal.weekly-indicators", "2026-W08")
    record = session.exec(select(ForwardedInitiative)).one()
    assert record.idempotency_key == "6f1c2a9e-0b7d-4e1a-9c55-2b4f8e7d1a30"
    calls = session.exec(select(PartnerCall).order_by(PartnerCall.id)).all()
    assert [(c.endpoint, c.status_code) for c in calls] == [
        ("/api/v1/partners/token", 200),
        ("/api/v1/partners/initiatives", 201),
        ("/api/v1/partners/initiatives/{external_id}", 200),
        ("/api/v1/changes", 200),
        ("/api/v1/changes", 200),
        ("/api/v1/partners/monitoring/weekly", 200),
    ]


def test_the_guide_signature_check_accepts_a_real_signature_and_refuses_a_forged_one():
    import time

    from app.webhooks import delivery

    [block] = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    namespace: dict = {}
    exec(compile(block, str(GUIDE), "exec"), namespace)
    body = delivery.body_of({"type": "forwarded.stage_changed", "data": {"to": "screening"}})
    now = int(time.time())
    header = f"t={now},v1={delivery.sign('whsec_key', now, body)}"
    assert namespace["verify"]("whsec_key", header, body) is True
    assert namespace["verify"]("whsec_other", header, body) is False
    old = now - 600
    stale = f"t={old},v1={delivery.sign('whsec_key', old, body)}"
    assert namespace["verify"]("whsec_key", stale, body) is False
