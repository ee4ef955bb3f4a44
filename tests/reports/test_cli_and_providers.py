"""`portal weekly-report` and `portal open-data`; other domains' figures and datasets plug in."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook

from app.cli import main
from app.exchange.models import Deal, DealEvent
from app.problems.models import Problem, ProblemEvent
from app.reports import figures, opendata, service, weekly
from tests import factories
from tests.reports.helpers import NOW, build, vn


def test_weekly_report_command_writes_the_files(session, settings, tmp_path, capsys):
    build(session)
    main(["weekly-report", "--week", "2026-W07", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "received         week      2  previous      1  change     +1" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bao-cao-tuan-2026-W07.json",
        "bao-cao-tuan-2026-W07.pdf",
        "bao-cao-tuan-2026-W07.xlsx",
    ]
    assert load_workbook(tmp_path / "bao-cao-tuan-2026-W07.xlsx").active["B5"].value == 2
    data = json.loads((tmp_path / "bao-cao-tuan-2026-W07.json").read_text("utf-8"))
    assert data == weekly.build(session, weekly.parse_week("2026-W07"))


def test_open_data_command(session, settings, capsys):
    build(session)
    main(["open-data"])
    assert json.loads(capsys.readouterr().out)["counts"]["initiatives"] == 1
    assert (opendata.current_dir() / "initiatives.csv").exists()


def test_another_domain_adds_its_figures_and_datasets(session, settings, monkeypatch):
    build(session)

    def open_problems(session, start, end, scope):
        return {"total": 7, "period": 2}

    monkeypatch.setitem(
        figures.providers,
        "problems.open",
        figures.FigureProvider("problems.open", "Initiatives", open_problems),
    )
    stats = service.statistics(session, now=NOW)
    assert stats["extra"]["problems.open"] == {"label": "Initiatives", "total": 7, "period": 2}
    report = weekly.build(session, weekly.parse_week("2026-W07"))
    assert report["extra"]["problems.open"]["total"] == 7

    problems = opendata.Dataset(
        "problems",
        "Bài toán",
        "Problems",
        "Bài toán công khai",
        "Public problems",
        (opendata.Column("id", "integer", "Mã", "Id"),),
        lambda session: iter([{"id": 1}, {"id": 2}]),
    )
    monkeypatch.setitem(opendata.datasets, "problems", problems)
    info = opendata.regenerate(session)
    assert info["counts"]["problems"] == 2
    assert "problems.csv" in opendata.files()


def _problem(session, owner, code, steps, **fields):
    """A problem whose history is `steps` (status, time); the figures read only the history,
    so the rows carry placeholder hashes (the chain itself is tested in tests/problems)."""
    item = Problem(created_by_id=owner.id, title=code, abstract="Tóm tắt", deadline=date(2026, 12, 31), **fields)  # fmt: skip
    session.add(item)
    session.flush()
    for seq, (status, at) in enumerate(steps, 1):
        session.add(ProblemEvent(problem_id=item.id, seq=seq, to_status=status, created_at=at, prev_hash="0" * 64, hash="0" * 64))  # fmt: skip
    session.commit()
    return item


def test_problems_and_deals_figures_come_from_their_histories(session):
    data = build(session)
    owner = data.coordinator
    digital = data.initiatives["I1"].field_id
    _problem(session, owner, "P1", [("submitted", vn(2026, 2, 2)), ("open", vn(2026, 2, 3))], field_id=digital)  # fmt: skip
    _problem(session, owner, "P2", [("submitted", vn(2026, 2, 20)), ("open", vn(2026, 2, 23, 10)), ("closed", vn(2026, 2, 24)), ("evaluating", vn(2026, 2, 24, 11)), ("awarded", vn(2026, 2, 24, 12))], provinces=["Huế"])  # fmt: skip
    _problem(session, owner, "P3", [("open", vn(2026, 2, 24))], provinces=["Hà Nội"])
    _problem(session, owner, "P4", [("open", vn(2026, 2, 1)), ("closed", vn(2026, 2, 20)), ("evaluating", vn(2026, 2, 21)), ("awarded", vn(2026, 2, 26))])  # fmt: skip
    org = factories.organisation(session, "Công ty Chuyển Giao")
    for initiative, signed in (("I1", vn(2026, 2, 10)), ("I2", vn(2026, 2, 24)), ("I3", None)):
        deal = Deal(initiative_id=data.initiatives[initiative].id, organisation_id=org.id, created_by_id=owner.id)  # fmt: skip
        session.add(deal)
        session.flush()
        steps = [("contact", vn(2026, 2, 9)), *([("agreement_signed", signed)] if signed else [])]
        for seq, (stage, at) in enumerate(steps, 1):
            session.add(DealEvent(deal_id=deal.id, seq=seq, action=stage, to_stage=stage, created_at=at, prev_hash="0" * 64, hash="0" * 64))  # fmt: skip
    session.commit()
    stats = service.statistics(session, now=NOW)
    # As of Wednesday 25 Feb; this week from Monday 23 Feb. P4 is awarded only on the 26th.
    assert stats["extra"] == {
        "deals.signed": {"label": "Agreements signed", "total": 2, "period": 1},
        "problems.awarded": {"label": "Problems awarded", "total": 1, "period": 1},
        "problems.open": {"label": "Problems open for proposals", "total": 2, "period": 2},
    }
    huế = service.statistics(session, now=NOW, scope=figures.Scope(provinces=("Huế",)))["extra"]
    # P1 and P4 are national (no province); P3 is Hà Nội's. The signed deal on I2 is in Huế.
    # Open now: P1; opened this week: P2 (23 Feb, since awarded).
    assert {k: (v["total"], v["period"]) for k, v in huế.items()} == {
        "deals.signed": (1, 1),
        "problems.awarded": (1, 1),
        "problems.open": (1, 1),
    }
    digital_only = figures.Scope(field_ids=(digital,))
    extra = service.statistics(session, now=NOW, scope=digital_only)["extra"]
    assert {k: v["total"] for k, v in extra.items()} == {"deals.signed": 2, "problems.awarded": 0, "problems.open": 1}  # fmt: skip
    # The weekly report of the week before (16–22 Feb) saw none of this week's changes.
    report = weekly.build(session, weekly.parse_week("2026-W08"))
    assert {k: (v["total"], v["period"]) for k, v in report["extra"].items()} == {
        "deals.signed": (1, 0),
        "problems.awarded": (0, 0),
        "problems.open": (1, 0),  # P1 (P4 closed on the 20th)
    }
