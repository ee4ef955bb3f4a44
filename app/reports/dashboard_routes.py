"""The coordinator dashboard, the lists behind its figures, and saved views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from app.accounts import permissions as accounts
from app.accounts.deps import CoordinatorUser, Form
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.initiatives import taxonomy
from app.initiatives.workflow import status_label
from app.reports import dashboard, labels, service
from app.reports.routes_common import statistics_context
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import submit_form
from app.web.templating import nav_item, render

ITEMS_PER_PAGE = 100
router = APIRouter()
nav_item("Dashboard", "/dashboard", visible=accounts.is_coordinator, order=15)


def _page(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    view_id: int | None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
):
    view = service.view_of(session, user, view_id)
    scope = service.scope_of(view)
    fields, _subfields = taxonomy.options(session)
    return render(
        request,
        "reports/dashboard.html",
        {
            # History figures from the snapshot per (watermark, view); live counts grouped in SQL.
            **statistics_context(service.public_statistics(session, scope)),
            "dash": dashboard.summary(session, scope),
            "buckets": [b[0] for b in dashboard.BUCKETS],
            "open_stages": dashboard.OPEN_STAGES,
            "view": view,
            "views": service.views_of(session, user),
            "q": f"&view={view.id}" if view else "",
            "field_options": fields,
            "provinces": PROVINCES,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/dashboard")
def dashboard_page(
    request: Request, session: SessionDep, user: CoordinatorUser, view: int | None = None
):
    return _page(request, session, user, view)


@router.get("/dashboard/items")
def items_page(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    stage: str | None = None,
    bucket: str | None = None,
    overdue: bool = False,
    warning: bool = False,
    view: int | None = None,
    page: int = Query(1, ge=1),
):
    """The initiatives behind one dashboard figure, a page at a time (thousands at a time of
    crowding would make a page nobody can open)."""
    scope = service.scope_of(service.view_of(session, user, view))
    items = dashboard.open_items(
        session,
        scope,
        which=dashboard.Filter(stage=stage, bucket=bucket, overdue=overdue, warning=warning),
    )
    pages = max(1, -(-len(items) // ITEMS_PER_PAGE))
    page = min(page, pages)
    shown = items[(page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE]
    asked = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    parts = [status_label(stage) if stage else None]
    if bucket:
        parts.append(_("%(bucket)s working days in the stage", bucket=bucket))
    if overdue:
        parts.append(_("overdue"))
    if warning:
        parts.append(_("about to pass the target"))
    return render(
        request,
        "reports/dashboard_items.html",
        {
            "items": shown,
            "total": len(items),
            "page": page,
            "pages": pages,
            "page_url": lambda n: "/dashboard/items?" + urlencode([*asked, ("page", n)]),
            "heading": ", ".join(p for p in parts if p) or _("Open initiatives"),
            "stage_label": status_label,
            "unit_label": labels.unit_label,
        },
    )


@router.post("/dashboard/views")
def save_view(request: Request, session: SessionDep, user: CoordinatorUser, form: Form):
    field_ids = [int(str(v)) for v in form.getlist("field_ids") if str(v).isdigit()]
    provinces = [str(v) for v in form.getlist("provinces")]
    name = str(form.get("name", ""))
    values = {"name": name, "field_ids": field_ids, "provinces": provinces}

    def saved(view: Any):
        flash(request, _("The view was saved."))
        return RedirectResponse(f"/dashboard?view={view.id}", status_code=303)

    return submit_form(
        session,
        form,
        None,
        lambda _form: service.save_view(
            session, user, name=name, field_ids=field_ids, provinces=provinces
        ),
        done=saved,
        again=lambda refusal: _page(
            request, session, user, None, refusal.errors, values, refusal.status
        ),
        catch=ValidationFailed,
    )


@router.post("/dashboard/views/{view_id}/delete")
def delete_view(request: Request, session: SessionDep, user: CoordinatorUser, view_id: int):
    view = service.view_of(session, user, view_id)
    session.delete(view)
    flash(request, _("The view was deleted."))
    return RedirectResponse("/dashboard", status_code=303)
