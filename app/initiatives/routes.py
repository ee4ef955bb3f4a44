"""Initiative pages: the submission form, my initiatives, the initiative page, receipts, files.

Coordinator and admin pages live in pages_coordinator.py and are included here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep
from app.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from app.i18n import _
from app.initiatives import (
    attachments,
    forms,
    history,
    pages_coordinator,
    queries,
    receipts,
    service,
    taxonomy,
    visibility,
    workflow,
)
from app.initiatives import permissions as perms
from app.initiatives.deps import VisibleInitiative
from app.initiatives.downloads import file_response
from app.initiatives.models import Initiative
from app.initiatives.schemas import IP_STATUSES, RESOURCE_KINDS
from app.storage import receive_upload
from app.system.provinces import PROVINCES
from app.web.flash import flash
from app.web.redirects import safe_next
from app.web.templating import env, nav_item, render

router = APIRouter()
router.include_router(pages_coordinator.router)
env.globals["initiative_status_label"] = workflow.status_label

nav_item("My initiatives", "/my/initiatives", visible=accounts.can_submit, order=20)
nav_item("Check a receipt", "/receipts", order=80)


def resource_label(kind: str) -> str:
    return {
        "partners": _("Partners"),
        "investors": _("Investors"),
        "customers": _("Customers"),
        "experts": _("Experts"),
        "communication": _("Communication"),
        "ip_registration": _("Help with IP registration"),
    }.get(kind, kind)


def ip_status_label(status: str) -> str:
    return {"none": _("None"), "filed": _("Application filed"), "granted": _("Granted")}.get(
        status, status
    )


env.globals.update(
    initiative_resource_label=resource_label, initiative_ip_status_label=ip_status_label
)


# -- the submission form -------------------------------------------------------
def _form(
    request: Request,
    session,
    user,
    initiative: Initiative | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
    similar: list | None = None,
    message: str | None = None,
):
    fields, subfields = taxonomy.options(session)
    return render(
        request,
        "initiatives/form.html",
        {
            "initiative": initiative,
            "values": values,
            "errors": errors,
            "similar": similar or [],
            "message": message,
            "field_options": fields,
            "subfield_options": subfields,
            "province_options": [(p, p) for p in PROVINCES],
            "trl_options": [(str(n), str(n)) for n in range(1, 10)],
            "ip_options": [(s, ip_status_label(s)) for s in IP_STATUSES],
            "resource_options": [(k, resource_label(k)) for k in RESOURCE_KINDS],
            "coauthor_rows": forms.coauthor_rows(values),
            "attachments": initiative.attachments if initiative else [],
        },
        status_code=status_code,
    )


def _editable(session, user, initiative_id: int) -> Initiative:
    initiative = service.get_visible(session, user, initiative_id)
    if not perms.can_edit(user, initiative):
        raise Conflict(
            _("The initiative can be changed only while it is a draft or returned for revision.")
        )
    return initiative


def _save(request: Request, session, user, initiative: Initiative | None, form):
    """Save the draft, then submit if asked; any refusal re-renders everything that was typed."""
    data, errors, values = forms.draft_from_form(form)
    if data is None:
        return _form(request, session, user, initiative, values, errors, 400)
    try:
        if initiative is None:
            initiative = service.create_draft(session, user, data)
        else:
            service.update_draft(session, user, initiative, data)
    except ValidationFailed as exc:
        return _form(request, session, user, initiative, values, exc.errors, 400)
    if form.get("action") != "submit":
        flash(request, _("Draft saved. You can come back and continue at any time."), "success")
        return RedirectResponse(f"/initiatives/{initiative.id}/edit", status_code=303)
    try:
        service.submit(
            session, user, initiative, confirm_similar=form.get("confirm_similar") == "1"
        )
    except ValidationFailed as exc:  # the draft stays saved: the unit of work still commits
        return _form(
            request, session, user, initiative, values, exc.errors, 400, message=exc.message
        )
    except Conflict as exc:
        return _form(
            request,
            session,
            user,
            initiative,
            values,
            {},
            409,
            similar=exc.extra.get("similar"),
            message=exc.message,
        )
    flash(request, _("Your initiative has been received."), "success")
    return RedirectResponse(f"/initiatives/{initiative.id}/receipt", status_code=303)


@router.get("/initiatives/new")
def new_form(request: Request, session: SessionDep, user: CurrentUser):
    if not accounts.can_submit(user):
        raise PermissionDenied(_("Your account may not register initiatives."))
    return _form(request, session, user, None, forms.values_of(None), {})


@router.post("/initiatives/new")
async def create(request: Request, session: SessionDep, user: CurrentUser):
    form = await request.form()
    return await run_in_threadpool(_save, request, session, user, None, form)


@router.get("/initiatives/{initiative_id}/edit")
def edit_form(request: Request, session: SessionDep, user: CurrentUser, initiative_id: int):
    initiative = _editable(session, user, initiative_id)
    return _form(request, session, user, initiative, forms.values_of(initiative), {})


@router.post("/initiatives/{initiative_id}/edit")
async def save(request: Request, session: SessionDep, user: CurrentUser, initiative_id: int):
    form = await request.form()
    initiative = await run_in_threadpool(service.get_visible, session, user, initiative_id)
    return await run_in_threadpool(_save, request, session, user, initiative, form)


@router.post("/initiatives/{initiative_id}/autosave")
async def autosave(request: Request, session: SessionDep, user: CurrentUser, initiative_id: int):
    """The form's script saves the draft in the background (JSON answer, never a page)."""
    form = await request.form()
    data, errors, _values = forms.draft_from_form(form)
    if data is None:
        return JSONResponse({"saved": False, "errors": errors}, status_code=422)
    initiative = await run_in_threadpool(service.get_visible, session, user, initiative_id)
    try:
        await run_in_threadpool(service.update_draft, session, user, initiative, data)
    except DomainError as exc:
        return JSONResponse(
            {"saved": False, "errors": exc.errors, "detail": exc.message}, status_code=exc.status
        )
    return JSONResponse({"saved": True})


# -- attachments ---------------------------------------------------------------
@router.post("/initiatives/{initiative_id}/attachments")
async def upload(request: Request, session: SessionDep, user: CurrentUser, initiative_id: int):
    """Multipart, streamed; the CSRF token comes in the query string (`?csrf_token=`)."""
    initiative = await run_in_threadpool(service.get_visible, session, user, initiative_id)
    attachments.ensure_can_attach(user, initiative)
    fields, files = await receive_upload(request)
    if not files:
        flash(request, _("Choose a file to attach."), "error")
    else:
        await run_in_threadpool(
            attachments.add,
            session,
            user,
            initiative,
            files,
            confidential=fields.get("public") != "1",
        )
        flash(request, _("File attached."), "success")
    return RedirectResponse(f"/initiatives/{initiative_id}/edit#attachments", status_code=303)


@router.post("/initiatives/{initiative_id}/attachments/{attachment_id}/delete")
def delete_attachment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: VisibleInitiative,
    attachment_id: int,
):
    attachments.delete(session, user, initiative, attachments.get(initiative, attachment_id))
    flash(request, _("File removed."), "success")
    return RedirectResponse(f"/initiatives/{initiative.id}/edit#attachments", status_code=303)


@router.get("/initiatives/{initiative_id}/attachments/{attachment_id}")
def download(
    session: SessionDep, user: OptionalUser, initiative: VisibleInitiative, attachment_id: int
):
    return file_response(attachments.for_download(session, user, initiative, attachment_id))


# -- reading and following -----------------------------------------------------
@router.get("/my/initiatives")
def mine(request: Request, session: SessionDep, user: CurrentUser):
    items = queries.mine(session, user)
    requests = {
        i.id: queries.last_reason(session, i.id, workflow.Status.returned_for_revision)
        for i in items
        if i.status == workflow.Status.returned_for_revision
    }
    return render(
        request,
        "initiatives/mine.html",
        {
            "items": items,
            "revision_requests": requests,
            "next_step": queries.next_step,
            "days_in_stage": queries.days_in_stage,
        },
    )


@router.get("/initiatives/{initiative_id}")
def detail(
    request: Request, session: SessionDep, user: OptionalUser, initiative: VisibleInitiative
):
    view = visibility.visible_view(session, user, initiative)
    confidential = visibility.can_view_confidential(session, user, initiative)
    context = {
        "initiative": initiative,
        "view": view,
        "confidential": confidential,
        "transitions": workflow.available(user, initiative),
        "can_edit": perms.can_edit(user, initiative),
        "is_submitter": perms.is_submitter(user, initiative),
        "events": history.events(session, initiative.id) if confidential else [],
        "chain_ok": history.verify_chain(session, initiative.id)[0],
        "versions": service.versions(session, user, initiative)
        if perms.can_compare_versions(user, initiative)
        else [],
        "grants": service.access_grants(session, initiative)
        if perms.can_manage_access(user, initiative)
        else [],
        "views": service.view_log(session, user, initiative)
        if perms.is_submitter(user, initiative)
        else [],
        "revision_request": queries.last_reason(
            session, initiative.id, workflow.Status.returned_for_revision
        )
        if initiative.status == workflow.Status.returned_for_revision and confidential
        else None,
    }
    return render(request, "initiatives/detail.html", context)


@router.post("/initiatives/{initiative_id}/transition")
async def change_status(
    request: Request, session: SessionDep, user: CurrentUser, initiative_id: int
):
    form = await request.form()
    initiative = await run_in_threadpool(service.get_visible, session, user, initiative_id)
    to, reason = str(form.get("to", "")), str(form.get("reason", ""))
    await run_in_threadpool(service.change_status, session, user, initiative, to, reason)
    flash(
        request,
        _("The initiative is now at the stage: %(stage)s.", stage=workflow.status_label(to)),
        "success",
    )
    return RedirectResponse(
        safe_next(form.get("next"), default=f"/initiatives/{initiative_id}"), status_code=303
    )


@router.get("/initiatives/{initiative_id}/receipt")
def receipt(
    request: Request, session: SessionDep, user: CurrentUser, initiative: VisibleInitiative
):
    """The printable receipt: for the authors only."""
    if not perms.is_author(user, initiative) or initiative.receipt_code is None:
        raise NotFound(_("There is no receipt for this initiative yet."))
    versions = service.versions(session, user, initiative)
    return render(
        request, "initiatives/receipt.html", {"initiative": initiative, "versions": versions}
    )


@router.get("/initiatives/{initiative_id}/versions")
def versions(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: VisibleInitiative,
    a: int | None = None,
    b: int | None = None,
):
    items = service.versions(session, user, initiative)
    if a is None or b is None:
        a, b = (items[-2].number, items[-1].number) if len(items) >= 2 else (1, 1)
    changes = service.compare(session, user, initiative, a, b) if items else []
    return render(
        request,
        "initiatives/versions.html",
        {"initiative": initiative, "versions": items, "a": a, "b": b, "changes": changes},
    )


@router.post("/initiatives/{initiative_id}/access")
async def grant_access(
    request: Request, session: SessionDep, user: CurrentUser, initiative_id: int
):
    form = await request.form()
    initiative = await run_in_threadpool(service.get_visible, session, user, initiative_id)
    await run_in_threadpool(
        service.grant_access, session, user, initiative, str(form.get("email", ""))
    )
    flash(request, _("Access granted."), "success")
    return RedirectResponse(f"/initiatives/{initiative_id}#access", status_code=303)


@router.post("/initiatives/{initiative_id}/access/{user_id}/revoke")
def revoke_access(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: VisibleInitiative,
    user_id: int,
):
    service.revoke_access(session, user, initiative, user_id)
    flash(request, _("Access revoked."), "success")
    return RedirectResponse(f"/initiatives/{initiative.id}#access", status_code=303)


# -- the public receipt check --------------------------------------------------
@router.get("/receipts")
def receipt_lookup(
    request: Request, session: SessionDep, user: OptionalUser, code: str = "", fingerprint: str = ""
):
    """Anyone: the stage and dates for a receipt code, and whether a fingerprint matches. Never content."""
    values, errors, result, message = {"code": code, "fingerprint": fingerprint}, {}, None, None
    if code:
        try:
            result = receipts.lookup(session, code, fingerprint)
        except ValidationFailed as exc:
            errors = exc.errors
        except NotFound as exc:
            message = exc.message
    return render(
        request,
        "initiatives/receipt_lookup.html",
        {"values": values, "errors": errors, "result": result, "message": message},
        status_code=400 if errors else 404 if message else 200,
    )
