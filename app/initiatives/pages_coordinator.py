"""Coordinator and admin pages: the screening inbox with bulk actions, and the taxonomy editor."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import permissions as accounts
from app.accounts.deps import AdminUser, CoordinatorUser
from app.accounts.labels import organisation_type_label
from app.accounts.models import OrganisationType
from app.db import SessionDep
from app.i18n import _, get_language, ngettext
from app.initiatives import queries, service, taxonomy, workflow
from app.initiatives.schemas import FieldIn, FieldRow
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.forms import Form, submit_form
from app.web.templating import nav_item, render

router = APIRouter()

nav_item("Screening inbox", "/coordinator/initiatives", visible=accounts.is_coordinator, order=30)
nav_item("Fields", "/admin/fields", visible=accounts.is_admin, order=90)

INBOX_STATES = [s for s in workflow.Status if s != workflow.Status.draft]


def _int(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.get("/coordinator/initiatives")
def inbox(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    status: str = "",
    field_id: str = "",
    province: str = "",
    organisation_type: str = "",
    min_days: str = "",
):
    filters = queries.InboxFilters(
        status=status or None,
        field_id=_int(field_id),
        province=province or None,
        organisation_type=organisation_type or None,
        min_days_in_stage=_int(min_days),
    )
    fields, _subfields = taxonomy.options(session)
    return render(
        request,
        "initiatives/inbox.html",
        {
            "items": queries.inbox(session, filters),
            "days_in_stage": queries.days_in_stage,
            "values": {
                "status": status,
                "field_id": field_id,
                "province": province,
                "organisation_type": organisation_type,
                "min_days": min_days,
            },
            "status_options": [(str(s), workflow.status_label(s)) for s in INBOX_STATES],
            "field_options": fields,
            "province_options": [(p, p) for p in PROVINCES],
            "organisation_type_options": [
                (str(t), organisation_type_label(t)) for t in OrganisationType
            ],
            "field_names": dict(fields),
            "errors": {},
        },
    )


@router.post("/coordinator/initiatives/bulk")
def bulk(request: Request, session: SessionDep, user: CoordinatorUser, form: Form):
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit()]
    if not ids:
        flash(request, _("Select at least one initiative."), "error")
    else:
        done, refused = service.bulk_start_screening(session, user, ids)
        flash(
            request,
            ngettext(
                "Screening started for %(done)s initiative; %(refused)s could not be moved.",
                "Screening started for %(done)s initiatives; %(refused)s could not be moved.",
                len(done),
                done=len(done),
                refused=len(refused),
            ),
            "success" if not refused else "warning",
        )
    return RedirectResponse("/coordinator/initiatives", status_code=303)


# -- taxonomy editor -------------------------------------------------------------
def _fields_page(request: Request, session, values: dict, errors: dict, status_code: int = 200):
    return render(
        request,
        "initiatives/fields.html",
        {
            "tree": taxonomy.tree(session, active_only=False),
            "values": values,
            "errors": errors,
            "parent_options": [
                (f.id, f.name(get_language()))
                for f, _c in taxonomy.tree(session, active_only=False)
            ],
        },
        status_code=status_code,
    )


@router.get("/admin/fields")
def fields_page(request: Request, session: SessionDep, user: AdminUser):
    return _fields_page(request, session, {}, {})


@router.post("/admin/fields")
def add_field(request: Request, session: SessionDep, user: AdminUser, form: Form):
    def added(_field: object):
        flash(request, _("Field added."), "success")
        return RedirectResponse("/admin/fields", status_code=303)

    values = {k: form.get(k, "") for k in ("code", "name_vi", "name_en", "parent_id")}
    return submit_form(
        session,
        form,
        FieldIn,
        lambda data: taxonomy.add_field(session, user, data),
        done=added,
        again=lambda refusal: _fields_page(request, session, values, refusal.on("code"), 400),
    )


@router.post("/admin/fields/{field_id}")
def update_field(request: Request, session: SessionDep, user: AdminUser, field_id: int, form: Form):
    field = taxonomy.get(session, field_id)

    def saved(_field: object):
        flash(request, _("Field saved."), "success")
        return RedirectResponse("/admin/fields", status_code=303)

    return submit_form(
        session,
        form,
        FieldRow,
        lambda data: taxonomy.update_field(session, user, field, data),
        done=saved,
        again=lambda refusal: _fields_page(
            request, session, {}, {f"{field_id}-{k}": v for k, v in refusal.errors.items()}, 400
        ),
    )
