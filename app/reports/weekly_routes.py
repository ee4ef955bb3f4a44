"""Weekly reports: the archive and downloads for coordinators and admins (pages and API)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts import permissions as accounts
from app.accounts.deps import require
from app.accounts.models import User
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _, get_language
from app.reports import documents, service, weekly
from app.web.templating import nav_item, render

router = APIRouter()
api = APIRouter(tags=["reports"])


def can_read_reports(user: User | None) -> bool:
    return accounts.is_coordinator(user) or accounts.is_admin(user)


ReportReader = Annotated[
    User,
    Depends(
        require(
            can_read_reports, _("Only coordinators and administrators read the weekly reports.")
        )
    ),
]
nav_item("Weekly reports", "/reports/weekly", visible=can_read_reports, order=92)


def _week(value: str) -> date:
    try:
        return weekly.parse_week(value)
    except ValueError:
        raise NotFound(
            _("No such week: give its Monday (2026-02-16) or ISO week (2026-W08).")
        ) from None


def report_data(
    session: SessionDep, user: User, week: str, view: int | None = None
) -> dict[str, Any]:
    """The archived national report, or a report built now for the user's saved view."""
    monday = _week(week)
    if view is not None:
        saved = service.view_of(session, user, view)
        return weekly.build(session, monday, service.scope_of(saved))
    report = weekly.archived(session, monday)
    if report is None:
        raise NotFound(_("There is no report for this week yet."))
    return report.data


@router.get("/reports/weekly")
def archive_page(request: Request, session: SessionDep, user: ReportReader):
    return render(
        request,
        "reports/weekly.html",
        {"reports": weekly.archive_list(session), "views": service.views_of(session, user)},
    )


@router.get("/reports/weekly/{week}")
def report_page(
    request: Request, session: SessionDep, user: ReportReader, week: str, view: int | None = None
):
    data = report_data(session, user, week, view)
    return render(
        request,
        "reports/weekly_report.html",
        {
            "data": data,
            "title": documents.title_of(data),
            "sections": documents.sections(data),
            "view": view,
        },
    )


def _download(data: dict[str, Any], fmt: str) -> Response:
    name = f"bao-cao-tuan-{data['iso_week']}"
    if fmt == "xlsx":
        body, media = documents.xlsx(data, get_language()), documents.XLSX_TYPE
    elif fmt == "pdf":
        body, media = documents.pdf(data, get_language()), "application/pdf"
    else:
        return JSONResponse(data)
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/reports/weekly/{week}/report.{fmt}")
def report_file(
    session: SessionDep, user: ReportReader, week: str, fmt: str, view: int | None = None
):
    if fmt not in ("xlsx", "pdf", "json"):
        raise NotFound(_("No such format."))
    return _download(report_data(session, user, week, view), fmt)


@api.get("/reports/weekly", summary="Archived weekly reports")
def api_archive(session: SessionDep, user: ReportReader) -> list[dict[str, Any]]:
    return [
        {
            "week_start": r.week_start.isoformat(),
            "iso_week": r.data.get("iso_week"),
            "built_at": r.built_at.isoformat(),
        }
        for r in weekly.archive_list(session)
    ]


@api.get("/reports/weekly/{week}", summary="One week's report (JSON)")
def api_report(
    session: SessionDep, user: ReportReader, week: str, view: int | None = None
) -> dict[str, Any]:
    """The archived report of the week (Monday date or ISO week); with `view`, the report
    built now for one of the caller's saved views."""
    return report_data(session, user, week, view)
