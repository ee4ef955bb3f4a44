"""Publication pages: the coordinator's publication desk, the submitter's answer to a summary
proposal, and the public certificate verification page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts.deps import CoordinatorUser, CurrentUser, OptionalUser
from app.db import SessionDep
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives.permissions import is_submitter
from app.publication import service
from app.publication.deps import DeskInitiative, ProposalDep, initiative_by_id
from app.publication.schemas import ProposalIn, UnpublishIn
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
    request: Request, session: SessionDep, user: CoordinatorUser, initiative: DeskInitiative
):
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
    if data is None:
        return _desk(request, session, initiative, dict(form), errors, status_code=400)
    service.unpublish(session, user, initiative, data.reason)
    flash(request, _("The initiative is no longer published."), "info")
    return RedirectResponse(f"/publication/initiatives/{initiative.id}", status_code=303)


@router.get("/publication/proposals/{proposal_id}")
def proposal_page(request: Request, session: SessionDep, user: CurrentUser, proposal: ProposalDep):
    initiative = initiative_by_id(session, proposal.initiative_id)
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


@router.get("/certificates")
def lookup(request: Request, user: OptionalUser, number: str = ""):
    if number.strip():
        return RedirectResponse(f"/certificates/{number.strip().upper()}", status_code=303)
    return render(request, "publication/lookup.html", {})


@router.get("/certificates/{number}")
def certificate_page(request: Request, session: SessionDep, user: OptionalUser, number: str):
    certificate, intact = service.verify(session, number)
    return render(
        request, "publication/certificate.html", {"certificate": certificate, "intact": intact}
    )
