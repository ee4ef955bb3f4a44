"""Initiative pages: the submission form, my initiatives, the initiative page, receipts, files.

Coordinator and admin pages live in pages_coordinator.py and are included here.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, OptionalUser
from app.config import get_settings
from app.db import SessionDep, keep, refuse
from app.errors import (
    Conflict,
    DomainError,
    NotFound,
    ValidationFailed,
)
from app.i18n import _, format_datetime, get_language
from app.initiatives import (
    attachments,
    forms,
    history,
    labels,
    pages_coordinator,
    queries,
    reading_log,
    receipts,
    service,
    steps,
    taxonomy,
    visibility,
    workflow,
)
from app.initiatives import permissions as perms
from app.initiatives.deps import EditableInitiative, Submitter, VisibleInitiative
from app.initiatives.downloads import file_response
from app.initiatives.models import Initiative
from app.initiatives.schemas import IP_STATUSES, RESOURCE_KINDS
from app.storage import FormUpload, Upload
from app.system.provinces import PROVINCES
from app.web import confirm, pdf
from app.web.flash import flash
from app.web.forms import Form, Refusal, back_to, submit_form
from app.web.redirects import safe_next
from app.web.templating import env, nav_item, render

router = APIRouter()
router.include_router(pages_coordinator.router)
env.globals["initiative_status_label"] = workflow.status_label

nav_item("My initiatives", "/my/initiatives", visible=accounts.can_submit, order=20)
nav_item("Check a receipt", "/receipts", order=80)


env.globals.update(
    initiative_resource_label=labels.resource_label,
    initiative_ip_status_label=labels.ip_status_label,
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
            "ip_options": [(s, labels.ip_status_label(s)) for s in IP_STATUSES],
            "resource_options": [(k, labels.resource_label(k)) for k in RESOURCE_KINDS],
            "coauthor_rows": forms.coauthor_rows(values),
            "attachments": initiative.attachments if initiative else [],
        },
        status_code=status_code,
    )


def _save(request: Request, session, user, initiative: Initiative | None, received: Upload):
    """Save the draft with the files chosen in the same form, then submit if asked.

    The form is one multipart form (its file input after the text), so attaching a
    file, even before the first save, saves what was typed with it; any refusal,
    of the text or of the file, shows the form again with everything typed.
    """
    form = received.fields
    data, errors, values = forms.draft_from_form(form)
    if received.refused:
        errors = errors | {"file": received.refused}

    def save(data) -> Initiative:
        if initiative is None:
            saved = service.create_draft(session, user, data)
        else:
            saved = service.update_draft(session, user, initiative, data)
        if received.files:
            attachments.add(
                session, user, saved, received.files, confidential=form.get("public") != "1"
            )
        return saved

    def again(refusal: Refusal) -> Response:
        received.discard()  # nothing of a refused form is kept, its files neither
        errors = refusal.on("file") if received.files else refusal.errors
        return _form(request, session, user, initiative, values, errors, 400)

    return submit_form(
        session,
        form,
        lambda _form: (data, errors),
        save,
        done=lambda saved: _submit(
            request, session, user, saved, form, values, attached=bool(received.files)
        ),
        again=again,
        catch=(ValidationFailed, Conflict),
    )


def _submit(
    request: Request,
    session,
    user,
    initiative: Initiative,
    form,
    values: dict,
    *,
    attached: bool = False,
):
    if form.get("action") != "submit":
        if attached:
            flash(request, _("File attached and draft saved."), "success")
            return RedirectResponse(
                f"/initiatives/{initiative.id}/edit#attachments", status_code=303
            )
        flash(request, _("Draft saved. You can come back and continue at any time."), "success")
        return RedirectResponse(f"/initiatives/{initiative.id}/edit", status_code=303)
    keep(session, why="the draft stays saved when its submission is refused: nothing typed is lost")

    def received(_result: object):
        flash(request, _("Your initiative has been received."), "success")
        return RedirectResponse(f"/initiatives/{initiative.id}/receipt", status_code=303)

    return submit_form(
        session,
        form,
        None,
        lambda _form: service.submit(
            session, user, initiative, confirm_similar=form.get("confirm_similar") == "1"
        ),
        done=received,
        again=lambda refusal: _form(
            request,
            session,
            user,
            initiative,
            values,
            refusal.field_errors,  # the page shows `message` itself
            refusal.status,
            similar=refusal.extra.get("similar"),
            message=refusal.message,
        ),
        catch=(ValidationFailed, Conflict),
    )


@router.get("/initiatives/new")
def new_form(request: Request, session: SessionDep, user: Submitter):
    return _form(request, session, user, None, forms.values_of(None), {})


@router.post("/initiatives/new")
def create(request: Request, session: SessionDep, user: Submitter, received: FormUpload):
    """The form, with its files (multipart, streamed) or without (urlencoded)."""
    return _save(request, session, user, None, received)


@router.get("/initiatives/{initiative_id}/edit")
def edit_form(
    request: Request, session: SessionDep, user: CurrentUser, initiative: EditableInitiative
):
    return _form(request, session, user, initiative, forms.values_of(initiative), {})


@router.post("/initiatives/{initiative_id}/edit")
def save(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: EditableInitiative,
    received: FormUpload,
):
    """The form, with its files (multipart, streamed) or without (urlencoded)."""
    return _save(request, session, user, initiative, received)


@router.post("/initiatives/{initiative_id}/autosave")
def autosave(
    request: Request, session: SessionDep, user: CurrentUser, initiative_id: int, form: Form
):
    """The form's script saves the draft in the background (JSON answer, never a page)."""
    data, errors, _values = forms.draft_from_form(form)
    if data is None:
        return JSONResponse({"saved": False, "errors": errors}, status_code=422)
    initiative = service.get_visible(session, user, initiative_id)
    try:
        service.update_draft(session, user, initiative, data)
    except DomainError as exc:  # not a page: the script shows the refusal
        refuse(session)
        return JSONResponse(
            {"saved": False, "errors": exc.errors, "detail": exc.message}, status_code=exc.status
        )
    return JSONResponse({"saved": True})


# -- attachments (added through the form above) ------------------------------
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
        "steps": steps.steps(session, user, initiative),
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
        "views": reading_log.lines(session, initiative)
        if perms.is_submitter(user, initiative)
        else [],
        "revision_request": queries.last_reason(
            session, initiative.id, workflow.Status.returned_for_revision
        )
        if initiative.status == workflow.Status.returned_for_revision and confidential
        else None,
    }
    return render(request, "initiatives/detail.html", context)


# Moves the page asks to confirm (web only: an API request is explicit).
IRREVERSIBLE = {workflow.Status.rejected, workflow.Status.withdrawn, workflow.Status.unpublished}


@router.post("/initiatives/{initiative_id}/transition")
def change_status(
    request: Request, session: SessionDep, user: CurrentUser, initiative_id: int, form: Form
):
    initiative = service.get_visible(session, user, initiative_id)
    to, reason = str(form.get("to", "")), str(form.get("reason", ""))
    if to in IRREVERSIBLE and not confirm.confirmed(form):
        flash(request, confirm.missing()[confirm.FIELD], "error")
        return RedirectResponse(f"/initiatives/{initiative_id}#actions-h", status_code=303)
    service.change_status(session, user, initiative, to, reason)
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


@router.get("/initiatives/{initiative_id}/receipt.pdf")
def receipt_pdf(session: SessionDep, user: CurrentUser, initiative: VisibleInitiative):
    """The receipt as a PDF whose QR code opens the public receipt check for its code."""
    if not perms.is_author(user, initiative) or initiative.receipt_code is None:
        raise NotFound(_("There is no receipt for this initiative yet."))
    query = urlencode({"code": initiative.receipt_code, "fingerprint": initiative.fingerprint})
    url = f"{get_settings().base_url.rstrip('/')}/receipts?{query}"
    body = pdf.document(
        _("Receipt of your initiative %(code)s", code=initiative.receipt_code),
        [
            (_("Receipt code"), initiative.receipt_code),
            (_("Initiative"), initiative.title),
            (_("Submitted on"), format_datetime(initiative.submitted_at)),
            (_("Fingerprint of the submitted content (SHA-256)"), initiative.fingerprint or ""),
        ],
        url,
        _("Scan to check this receipt and its fingerprint:"),
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{initiative.receipt_code}.pdf"'},
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
    fields = {f.id: f.name(get_language()) for f in taxonomy.all_fields(session)}
    for change in changes:  # words, not codes: the section's name, a field's name
        if change["field"] in ("field_id", "subfield_id"):
            change["old"], change["new"] = fields.get(change["old"]), fields.get(change["new"])
        change["field"] = section_label(change["field"])
    return render(
        request,
        "initiatives/versions.html",
        {"initiative": initiative, "versions": items, "a": a, "b": b, "changes": changes},
    )


def section_label(key: str) -> str:
    """The name of a section of an initiative's content, as the form calls it."""
    labels = {
        "title": _("Title"),
        "summary": _("Public summary"),
        "problem": _("Problem addressed"),
        "solution": _("Solution and technical description"),
        "novelty": _("Novelty and creativity"),
        "feasibility": _("Feasibility and roadmap"),
        "impact": _("Expected impact and spillover"),
        "field_id": _("Field"),
        "subfield_id": _("Sub-field"),
        "keywords": _("Keywords"),
        "trl": _("Technology readiness level (1–9)"),
        "province": _("Province"),
        "ip_status": _("Intellectual property status"),
        "ip_number": _("Application or patent number"),
        "resources_wanted": _("Resources and support wanted"),
        "resources_note": _("Details of the support wanted"),
        "organisation_id": _("Organisation"),
        "authors": _("Authors"),
        "attachments": _("Attachments"),
    }
    return labels.get(key, key)


@router.post("/initiatives/{initiative_id}/access")
def grant_access(
    request: Request, session: SessionDep, user: CurrentUser, initiative_id: int, form: Form
):
    initiative = service.get_visible(session, user, initiative_id)
    return submit_form(
        session,
        form,
        None,
        lambda form: service.grant_access(session, user, initiative, str(form.get("email", ""))),
        **back_to(request, f"/initiatives/{initiative_id}#access", _("Access granted.")),
    )


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
        except ValidationFailed as exc:  # a read-only lookup: the answer is the page itself
            refuse(session)
            errors = exc.errors
        except NotFound as exc:
            refuse(session)
            message = exc.message
    return render(
        request,
        "initiatives/receipt_lookup.html",
        {"values": values, "errors": errors, "result": result, "message": message},
        status_code=400 if errors else 404 if message else 200,
    )
