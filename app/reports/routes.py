"""Public pages of the reports domain: statistics ("ba công khai") and the admin's targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import permissions as accounts
from app.accounts.deps import AdminUser, Form
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.initiatives.workflow import status_label
from app.reports import dashboard_routes, opendata_routes, service, weekly_routes
from app.reports.figures import CLOCKED
from app.reports.routes_common import statistics_context
from app.web.flash import flash
from app.web.forms import submit_form
from app.web.templating import nav_item, render

router = APIRouter()
router.include_router(weekly_routes.router)
router.include_router(opendata_routes.router)
router.include_router(dashboard_routes.router)

nav_item("Statistics", "/statistics", order=30)
nav_item("Stage targets", "/admin/reports/targets", visible=accounts.is_admin, order=96)


@router.get("/statistics")
def statistics_page(request: Request, session: SessionDep):
    """Anyone: the portal's figures, stage times and responsible units (cached under a minute)."""
    stats = service.public_statistics(session)
    return render(request, "reports/statistics.html", statistics_context(stats))


# -- administration: targets and holidays ------------------------------------------
def _targets_page(
    request: Request,
    session: SessionDep,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "reports/targets.html",
        {
            "targets": service.targets(session),
            "stages": [(str(s), status_label(s)) for s in CLOCKED],
            "holidays": service.holidays(session),
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/admin/reports/targets")
def targets_page(request: Request, session: SessionDep, admin: AdminUser):
    return _targets_page(request, session)


@router.post("/admin/reports/targets")
def set_target(request: Request, session: SessionDep, admin: AdminUser, form: Form):
    values = {k: str(form.get(k, "")) for k in ("stage", "working_days", "unit_vi", "unit_en")}

    def saved(_target: Any):
        flash(request, _("The stage target was saved."))
        return RedirectResponse("/admin/reports/targets", status_code=303)

    return submit_form(
        session,
        form,
        None,
        lambda _form: service.set_target(session, admin, **values),
        done=saved,
        again=lambda refusal: _targets_page(
            request, session, refusal.errors, values, refusal.status
        ),
        catch=ValidationFailed,
    )


@router.post("/admin/reports/holidays")
def add_holiday(request: Request, session: SessionDep, admin: AdminUser, form: Form):
    values = {k: str(form.get(k, "")) for k in ("day", "name_vi", "name_en")}

    def added(_holiday: Any):
        flash(request, _("The holiday was added."))
        return RedirectResponse("/admin/reports/targets#holidays", status_code=303)

    return submit_form(
        session,
        form,
        None,
        lambda _form: service.add_holiday(session, **values, actor=admin),
        done=added,
        again=lambda refusal: _targets_page(
            request, session, refusal.errors, values, refusal.status
        ),
        catch=ValidationFailed,
    )


@router.post("/admin/reports/holidays/{day}/delete")
def remove_holiday(request: Request, session: SessionDep, admin: AdminUser, day: date):
    service.remove_holiday(session, day, actor=admin)
    flash(request, _("The holiday was removed."))
    return RedirectResponse("/admin/reports/targets#holidays", status_code=303)
