"""The weekly report as XLSX (openpyxl) and PDF (fpdf2 with DejaVu Sans), and its mail.

Both are rendered from the archived JSON, so a downloaded file always shows
exactly the archived figures. The PDF embeds Debian's DejaVu Sans
(fonts-dejavu-core), which has every Vietnamese letter with its diacritics.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from app.config import get_settings
from app.i18n import _, use_language
from app.initiatives.workflow import status_label
from app.mail import service as mail_service
from app.reports import labels
from app.reports.exports import safe_cell

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kpi_label(key: str) -> str:
    return labels.total_labels().get(key, key)


def stage_name(stage: str) -> str:
    return _("Received") if stage == "received" else status_label(stage)


def _group(row: dict[str, Any]) -> str:
    return labels.group_label(row)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def title_of(data: dict[str, Any]) -> str:
    return _(
        "Weekly report, week %(week)s (%(start)s – %(end)s)",
        week=data["iso_week"],
        start=data["week_start"],
        end=data["week_end"],
    )


def sections(data: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables: (title, header, rows), shared by XLSX, PDF and the page."""
    kpis = [
        [kpi_label(k["key"]), k["week"], k["previous_week"], k["change"], k["since_start"]]
        for k in data["kpis"]
    ]
    tables: list[tuple[str, list[str], list[list[Any]]]] = [
        (
            _("Key figures"),
            [_("Figure"), _("This week"), _("Previous week"), _("Change"), _("Since the start")],
            kpis,
        ),
        (
            _("Stage funnel"),
            [_("Stage"), _("Initiatives")],
            [[stage_name(f["stage"]), f["count"]] for f in data["funnel"]],
        ),
        (
            _("Time per stage and responsible units"),
            [
                _("Stage"),
                _("Median days"),
                _("90th percentile days"),
                _("Target (working days)"),
                _("Responsible unit"),
                _("On time"),
                _("Overdue now"),
            ],
            [
                [
                    status_label(s["stage"]),
                    s["median_days"],
                    s["p90_days"],
                    s["target_working_days"],
                    labels.unit_label(s),
                    _share(s["on_time_share"]),
                    s["overdue"],
                ]
                for s in data["stages"]
            ],
        ),
        (
            _("Overdue items"),
            [
                _("Receipt code"),
                _("Stage"),
                _("Working days"),
                _("Target (working days)"),
                _("Responsible unit"),
            ],
            [
                [
                    o["receipt_code"],
                    status_label(o["stage"]),
                    o["elapsed_working_days"],
                    o["target_working_days"],
                    labels.unit_label(o),
                ]
                for o in data["overdue"]
            ],
        ),
        (
            _("Top fields"),
            [_("Field"), _("Received"), status_label("published")],
            [[_group(r), r["received"], r["published"]] for r in data["top_fields"]],
        ),
        (
            _("Top provinces"),
            [_("Province"), _("Received"), status_label("published")],
            [[_group(r), r["received"], r["published"]] for r in data["top_provinces"]],
        ),
        (
            _("Notable decisions"),
            [_("Receipt code"), _("Decision"), _("Date"), _("Title")],
            [
                [d["receipt_code"], status_label(d["decision"]), d["at"][:10], d["title"]]
                for d in data["decisions"]
            ],
        ),
    ]
    if data.get("extra"):
        tables.append(
            (
                _("Problems and deals"),
                [_("Figure"), _("This week"), _("Since the start")],
                [[_(e["label"]), e.get("period"), e.get("total")] for e in data["extra"].values()],
            )
        )
    return tables


def xlsx(data: dict[str, Any], language: str = "vi") -> bytes:
    """One sheet: the title, then each table under its heading."""
    with use_language(language):
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = data["iso_week"]
        sheet.append([safe_cell(title_of(data))])
        sheet["A1"].font = Font(bold=True, size=14)
        for heading, header, rows in sections(data):
            sheet.append([])
            sheet.append([safe_cell(heading)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.append([safe_cell(h) for h in header])
            for row in rows:
                sheet.append([safe_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 40
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()}", align="C")


def pdf(data: dict[str, Any], language: str = "vi") -> bytes:
    with use_language(language):
        doc = _Pdf(orientation="L", format="A4")
        doc.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        doc.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        doc.set_title(title_of(data))
        doc.add_page()
        doc.set_font("DejaVu", "B", 14)
        doc.multi_cell(0, 8, title_of(data), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", size=9)
        doc.multi_cell(
            0,
            6,
            _(
                "Acceptance rate: %(rate)s. Stages completed within their target: %(share)s.",
                rate=_share(data["acceptance_rate"]),
                share=_share(data["decided_on_time_share"]),
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for heading, header, rows in sections(data):
            doc.ln(3)
            doc.set_font("DejaVu", "B", 11)
            doc.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
            doc.set_font("DejaVu", size=8)
            if not rows:
                doc.multi_cell(0, 5, _("None this week."), new_x="LMARGIN", new_y="NEXT")
                continue
            with doc.table(first_row_as_headings=True, text_align="LEFT") as table:
                for values in [header, *rows]:
                    line = table.row()
                    for value in values:
                        line.cell("—" if value is None else str(value))
        return bytes(doc.output())


def attachments(data: dict[str, Any], language: str) -> list[tuple[str, str, bytes]]:
    name = f"bao-cao-tuan-{data['iso_week']}"
    return [
        (f"{name}.xlsx", XLSX_TYPE, xlsx(data, language)),
        (f"{name}.pdf", "application/pdf", pdf(data, language)),
    ]


def queue_report_mail(
    session: Session,
    address: str,
    data: dict[str, Any],
    files: list[tuple[str, str, bytes]],
    language: str = "vi",
) -> None:
    with use_language(language):
        kpis = [(kpi_label(k["key"]), k["week"], k["change"]) for k in data["kpis"]]
    mail_service.queue_mail(
        session,
        to=address,
        template="reports/mail/weekly",
        context={
            "data": data,
            "kpis": kpis,
            "url": f"{get_settings().base_url}/reports/weekly/{data['week_start']}",
        },
        language=language,
        key=f"weekly-report:{data['week_start']}:{address}",
        attachments=files,
    )
