"""The weekly report: exact figures, identical rebuilds, XLSX cells, PDF text, one mail per recipient."""

from __future__ import annotations

import io
import threading
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from app.db import unit_of_work
from app.initiatives import history
from app.initiatives.models import InitiativeVersion
from app.outbox.worker import Worker
from app.reports import documents, weekly
from app.reports.models import PublicHoliday, StageTarget, WeeklyReport, WeeklyReportMail
from tests.conftest import web_login
from tests.reports.helpers import add_initiative, build, vn

WEEK = date(2026, 2, 9)  # Monday 9 – Sunday 15 February 2026


def kpis(data):
    return {
        k["key"]: (k["week"], k["previous_week"], k["change"], k["since_start"])
        for k in data["kpis"]
    }


def test_the_week_report_has_exact_figures(session):
    build(session)
    data = weekly.build(session, WEEK)
    assert (data["iso_week"], data["week_start"], data["week_end"]) == (
        "2026-W07",
        "2026-02-09",
        "2026-02-15",
    )
    assert kpis(data) == {
        "received": (2, 1, 1, 4),
        "selected": (0, 0, 0, 1),
        "rejected": (1, 0, 1, 1),
        "published": (0, 0, 0, 1),
        "commercialising": (0, 0, 0, 0),
        "in_screening": (2, 1, 1, None),
        "in_review": (0, 0, 0, None),
    }
    assert data["funnel"] == [
        {"stage": "received", "count": 4},
        {"stage": "screening", "count": 4},
        {"stage": "in_review", "count": 1},
        {"stage": "selected", "count": 1},
        {"stage": "published", "count": 1},
        {"stage": "commercialising", "count": 0},
    ]
    assert [(r["key"], r["received"], r["published"]) for r in data["top_fields"]] == [
        ("agriculture_environment", 2, 0),
        ("digital_technology", 2, 1),
    ]
    assert data["decisions"] == [
        {
            "receipt_code": "SK-2026-000002",
            "decision": "rejected",
            "at": vn(2026, 2, 12).isoformat().replace("+07:00", "+00:00").replace("T09", "T02"),
            "title": "Máy sấy nông sản dùng năng lượng mặt trời",
        }
    ]
    # Screening took I2 four working days (9–12 Feb) against a target of three.
    screening = next(s for s in data["stages"] if s["stage"] == "screening")
    assert (screening["done"], screening["on_time"], screening["open"]) == (2, 1, 2)
    assert data["overdue"] == []


def test_a_past_week_rebuilt_after_later_changes_is_identical(session):
    data = build(session)
    before = weekly.build(session, WEEK)
    # Later: stages move on, a new initiative arrives, a title is revised, targets and
    # holidays change for the future.
    i4, i2 = data.initiatives["I4"], data.initiatives["I2"]
    history.append(session, initiative_id=i4.id, actor_id=None, from_status="screening", to_status="in_review", reason=None, fingerprint=None, at=vn(2026, 2, 26))  # fmt: skip
    add_initiative(session, data.submitter, "SK-2026-000009", [("submitted", vn(2026, 3, 2)), ("screening", vn(2026, 3, 3))], province="Huế")  # fmt: skip
    i2.title = "Tên mới sau khi sửa"
    session.add(i2)
    session.add(InitiativeVersion(initiative_id=i2.id, number=2, content={"title": i2.title}, fingerprint="f" * 64, created_at=vn(2026, 3, 1)))  # fmt: skip
    session.add(StageTarget(stage="screening", valid_from=vn(2026, 3, 1), working_days=1, unit_vi="Đơn vị mới", unit_en="New unit"))  # fmt: skip
    session.add(
        PublicHoliday(day=date(2026, 11, 24), name_vi="Ngày Văn hóa", name_en="Culture Day")
    )
    session.commit()
    after = weekly.build(session, WEEK)
    assert after == before
    assert weekly.build(session, date(2026, 3, 2)) != before  # a later week does see the changes


def test_xlsx_has_the_exact_cells(session):
    build(session)
    data = weekly.build(session, WEEK)
    sheet = load_workbook(io.BytesIO(documents.xlsx(data, "vi"))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Báo cáo tuần 2026-W07 (2026-02-09 – 2026-02-15)"
    assert rows[2][0] == "Chỉ số chính"
    assert rows[3][:5] == ["Chỉ số", "Tuần này", "Tuần trước", "Thay đổi", "Lũy kế từ đầu"]
    assert rows[4][:5] == ["Đã tiếp nhận", 2, 1, 1, 4]
    assert rows[6][:5] == ["Không được chọn", 1, 0, 1, 1]
    assert rows[9][:5] == ["Đang kiểm tra hồ sơ", 2, 1, 1, None]
    decisions = [r[0] for r in rows].index("Quyết định đáng chú ý")
    assert rows[decisions + 2][:4] == ["SK-2026-000002", "Không được chọn", "2026-02-12", "Máy sấy nông sản dùng năng lượng mặt trời"]  # fmt: skip
    english = load_workbook(io.BytesIO(documents.xlsx(data, "en"))).active
    assert english["A5"].value == "Received"


def test_pdf_text_keeps_every_vietnamese_diacritic(session):
    build(session)
    data = weekly.build(session, WEEK)
    reader = PdfReader(io.BytesIO(documents.pdf(data, "vi")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("Báo cáo tuần 2026-W07", "Đã tiếp nhận", "Lũy kế từ đầu", "Quyết định đáng chú ý", "Máy sấy nông sản dùng năng lượng mặt trời", "Phòng Sàng lọc"):  # fmt: skip
        assert words in text, words


def test_formula_like_text_is_written_as_text(session):
    data = build(session)
    i2 = data.initiatives["I2"]
    session.add(InitiativeVersion(initiative_id=i2.id, number=2, content={"title": "=HYPERLINK(\"http://x\")"}, fingerprint="e" * 64, created_at=vn(2026, 2, 10)))  # fmt: skip
    session.commit()
    sheet = load_workbook(io.BytesIO(documents.xlsx(weekly.build(session, WEEK), "vi"))).active
    assert '\'=HYPERLINK("http://x")' in [c.value for row in sheet.iter_rows() for c in row]


def test_due_week_is_the_week_just_ended_from_monday_seven(session):
    assert weekly.due_week(vn(2026, 2, 16, 6, 59)) is None
    assert weekly.due_week(vn(2026, 2, 16, 7, 0)) == WEEK
    assert weekly.due_week(vn(2026, 2, 18, 12)) == WEEK
    assert weekly.parse_week("2026-W07") == WEEK


def test_weekly_job_mails_each_recipient_once_even_with_two_workers(
    app, session, settings, mail_to_smtp, monkeypatch
):
    monkeypatch.setattr(weekly, "clock", lambda: vn(2026, 2, 16, 7, 5))  # Monday after WEEK
    settings.weekly_report_recipients = "bcd@chinhphu.vn, vanphong@most.gov.vn"
    build(session)
    workers = [Worker(app.state.engine, name=f"w{n}") for n in (1, 2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(worker: Worker) -> None:
        barrier.wait()
        try:
            with unit_of_work(worker.engine) as db:
                weekly.run_due_once(db)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for worker in workers:  # later passes change nothing
        worker.run_periodic(force=True)
        worker.drain()
    mails = mail_to_smtp.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in mails) == ["bcd@chinhphu.vn", "vanphong@most.gov.vn"]
    assert mails[0].subject == "Báo cáo tuần 2026-W07 (2026-02-09 – 2026-02-15)"
    assert "- Đã tiếp nhận: 2 (+1)" in mails[0].text
    attached = sorted(p.get_filename() for p in mails[0].message.iter_attachments())
    assert attached == ["bao-cao-tuan-2026-W07.pdf", "bao-cao-tuan-2026-W07.xlsx"]
    session.expire_all()
    assert len(session.exec(select(WeeklyReport)).all()) == 1
    assert len(session.exec(select(WeeklyReportMail)).all()) == 2
    import time

    time.sleep(1.0)
    assert len(mail_to_smtp.messages) == 2


def test_coordinators_download_archived_reports(client, session):
    data = build(session)
    session.add(WeeklyReport(week_start=WEEK, data=weekly.build(session, WEEK)))
    session.commit()
    anonymous = client.get("/reports/weekly/2026-02-09/report.xlsx", follow_redirects=False)
    assert anonymous.status_code == 303 and "/account/login" in anonymous.headers["location"]
    web_login(client, data.submitter.email)
    assert client.get("/reports/weekly/2026-02-09/report.pdf").status_code == 403
    client.post("/account/logout", data={})
    client.cookies.clear()
    web_login(client, data.coordinator.email)
    page = client.get("/reports/weekly")
    assert "2026-W07" in page.text
    xlsx = client.get("/reports/weekly/2026-02-09/report.xlsx")
    assert xlsx.headers["content-type"] == documents.XLSX_TYPE
    assert client.get("/reports/weekly/2026-W07/report.pdf").content.startswith(b"%PDF")
    assert client.get("/reports/weekly/2026-02-09/report.json").json()["iso_week"] == "2026-W07"
    assert client.get("/reports/weekly/2026-02-10").status_code == 404  # not a Monday
    assert client.get("/reports/weekly/2026-02-16").status_code == 404  # not built
    assert client.get("/reports/weekly/2026-02-09/report.doc").status_code == 404
    page = client.get("/reports/weekly/2026-02-09")
    assert "Máy sấy nông sản dùng năng lượng mặt trời" in page.text


def test_weekly_report_api(client, session):
    data = build(session)
    session.add(WeeklyReport(week_start=WEEK, data=weekly.build(session, WEEK)))
    session.commit()
    from tests.conftest import api_token

    headers = api_token(client, data.admin.email)
    assert client.get("/api/v1/reports/weekly", headers=headers).json()[0]["iso_week"] == "2026-W07"
    body = client.get("/api/v1/reports/weekly/2026-W07", headers=headers).json()
    assert kpis(body)["received"] == (2, 1, 1, 4)
    assert client.get("/api/v1/reports/weekly/2026-W07").status_code == 401
    assert client.get("/api/v1/reports/weekly/2026-W99", headers=headers).status_code == 404
