"""Publication pages: the coordinator's publication desk, the submitter's answer to a summary
proposal, and the public certificate verification page."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import CoordinatorUser, CurrentUser, OptionalUser
from app.config import get_settings
from app.db import SessionDep, refuse
from app.errors import NotFound, PermissionDenied
from app.i18n import _, format_date
from app.initiatives import visibility
from app.initiatives.permissions import is_submitter
from app.publication import service
from app.publication.deps import DeskInitiative, ProposalDep
from app.publication.schemas import ProposalIn, UnpublishIn
from app.web import confirm, pdf
from app.web.flash import flash
from app.web.forms import Form, parse_form
from app.web.templating import render

router = APIRouter()


def _desk(request, session, initiative, values=None, errors=None, status_code=200):
    return render(
        request,
        "publication/desk.html",
        {
            "initiative": initiative,
            "proposals": service.proposals(session, initiative),
            "certificates": service.certificates_of(session, initiative),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/publication/initiatives/{initiative_id}")
def desk(request: Request, session: SessionDep, user: CoordinatorUser, initiative: DeskInitiative):
    visibility.log_confidential_view(session, user, initiative, "publication desk")
    return _desk(request, session, initiative)


@router.post("/publication/initiatives/{initiative_id}/proposals")
def propose(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    initiative: DeskInitiative,
    form: Form,
):
    data, errors = parse_form(ProposalIn, form)
    if data is None:
        return _desk(request, session, initiative, dict(form), errors, status_code=400)
    service.propose_summary(session, user, initiative, data.summary, data.note)
    flash(request, _("The proposal was sent to the submitter."), "success")
    return RedirectResponse(f"/publication/initiatives/{initiative.id}", status_code=303)


@router.post("/publication/initiatives/{initiative_id}/publish")
def publish(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    initiative: DeskInitiative,
    form: Form,
):
    if not confirm.confirmed(form):
        return _desk(request, session, initiative, {}, confirm.missing(), status_code=400)
    certificate = service.publish(session, user, initiative)
    flash(
        request,
        _("Published. Certificate %(number)s issued.", number=certificate.number),
        "success",
    )
    return RedirectResponse(f"/certificates/{certificate.number}", status_code=303)


@router.post("/publication/initiatives/{initiative_id}/unpublish")
def unpublish(
    request: Request,
    session: SessionDep,
    user: CoordinatorUser,
    initiative: DeskInitiative,
    form: Form,
):
    data, errors = parse_form(UnpublishIn, form)
    if not confirm.confirmed(form):
        errors = {**errors, **confirm.missing()}
    if errors or data is None:
        return _desk(request, session, initiative, dict(form), errors, status_code=400)
    service.unpublish(session, user, initiative, data.reason)
    flash(request, _("The initiative is no longer published."), "info")
    return RedirectResponse(f"/publication/initiatives/{initiative.id}", status_code=303)


@router.get("/publication/proposals/{proposal_id}")
def proposal_page(request: Request, session: SessionDep, user: CurrentUser, proposal: ProposalDep):
    initiative = visibility.load(session, user, proposal.initiative_id)
    if not is_submitter(user, initiative):
        raise PermissionDenied(_("Only the submitter answers a summary proposal."))
    return render(
        request, "publication/proposal.html", {"proposal": proposal, "initiative": initiative}
    )


@router.post("/publication/proposals/{proposal_id}")
def answer(
    request: Request, session: SessionDep, user: CurrentUser, proposal: ProposalDep, form: Form
):
    service.respond(
        session,
        user,
        proposal,
        accept=form.get("answer") == "accept",
        note=str(form.get("note", "")),
    )
    flash(request, _("Thank you, your answer was recorded."), "success")
    return RedirectResponse(f"/publication/proposals/{proposal.id}", status_code=303)


CERTIFICATE_NUMBER = re.compile(r"^CN-\d{4}-\d{6}$")


def _lookup_page(request: Request, number: str, message: str, status_code: int):
    return render(
        request,
        "publication/lookup.html",
        {"values": {"number": number}, "errors": {"number": message} if message else {}},
        status_code=status_code,
    )


@router.get("/certificates")
def lookup(request: Request, session: SessionDep, user: OptionalUser, number: str = ""):
    """The verification form; a malformed or unknown number is answered on the form."""
    wanted = number.strip().upper()
    if not wanted:
        return _lookup_page(request, "", "", 200)
    if not CERTIFICATE_NUMBER.match(wanted):
        return _lookup_page(
            request, number, _("A certificate number looks like CN-2026-000001."), 400
        )
    return RedirectResponse(f"/certificates/{wanted}", status_code=303)


@router.get("/certificates/{number}")
def certificate_page(request: Request, session: SessionDep, user: OptionalUser, number: str):
    try:
        certificate, intact = service.verify(session, number)
    except NotFound:
        refuse(session)
        return _lookup_page(
            request, number[:40], _("No certificate with this number was issued."), 404
        )
    return render(
        request, "publication/certificate.html", {"certificate": certificate, "intact": intact}
    )


@router.get("/certificates/{number}/pdf")
def certificate_pdf(session: SessionDep, user: OptionalUser, number: str):
    """The certificate as a PDF whose QR code opens this verification page."""
    certificate, _intact = service.verify(session, number)
    url = f"{get_settings().base_url.rstrip('/')}/certificates/{certificate.number}"
    authors = "; ".join(
        f"{a['name']} ({a['share_percent']:g}%)"
        + (f", {a['organisation']}" if a.get("organisation") else "")
        for a in certificate.authors
    )
    lines = [
        (_("Number"), certificate.number),
        (_("Issued on"), format_date(certificate.issued_at)),
        (_("Initiative"), certificate.title),
        (_("Authors"), authors),
        (_("Organisation"), certificate.organisation_name or ""),
        (
            _("Fingerprint of the submitted content (SHA-256)"),
            certificate.content_fingerprint or "",
        ),
        (_("Seal (SHA-256 of the certificate data)"), certificate.seal),
    ]
    if certificate.revoked_at:
        lines.insert(0, (_("Revoked"), certificate.revoked_reason or ""))
    body = pdf.document(
        _("Publication certificate"),
        lines,
        url,
        _("Scan to check that this certificate is valid:"),
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.number}.pdf"'},
    )
