"""`portal weekly-report` and `portal open-data`; other domains' figures and datasets plug in."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from app.cli import main
from app.reports import figures, opendata, service, weekly
from tests.reports.helpers import NOW, build


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
