"""Deal pages: the pipeline board, the deal page with its forms, history and documents, NDA templates.

Each POST parses its form, calls one deal verb (`deal_opening`, `nda`, `deal_verbs`,
`facilitators`) and redirects back to the deal page; a form with errors re-renders the deal
page with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import select

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.exchange import (
    agreement_upload,
    deal_opening,
    deal_queries,
    deal_verbs,
    deal_views,
    facilitators,
    labels,
    nda,
)
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_schemas import (
    AbandonIn,
    DealIn,
    FacilitatorIn,
    NdaAcceptIn,
    NdaSettingIn,
    NdaTemplateIn,
    OfferIn,
    ResultIn,
)
from app.exchange.deps import ConfidentialDeal, PublicInitiative, VisibleDeal, VisibleRequest
from app.exchange.downloads import agreement_response, nda_pdf_response
from app.exchange.models import Deal
from app.i18n import _, get_language
from app.initiatives.models import Field as FieldRow
from app.problems import proposals as problem_proposals
from app.storage import StreamedUpload
from app.web.flash import flash
from app.web.forms import Form, Refusal, submit_form
from app.web.templating import nav_item, render

router = APIRouter()  # included by routes.py under /exchange


def _has_deals_menu(user: Any) -> bool:
    return accounts.is_signed_in(user) and (
        perms.can_request_contact(user)
        or perms.can_receive_requests(user)
        or accounts.is_coordinator(user)
    )


nav_item("My deals", "/exchange/deals", visible=_has_deals_menu, order=67)


def _deal_url(deal: Deal) -> str:
    return f"/exchange/deals/{deal.id}"


def _deal_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    deal: Deal,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
):
    initiative = deal_queries.initiative_of(session, deal)
    described = deal_views.describe(session, user, deal)
    deal_name = described["organisation"]["name"]
    return render(
        request,
        "exchange/deal.html",
        {
            "d": described,
            "templates": deal_queries.current_templates(session),
            "stage_label": workflow.stage_label,
            "reason_label": workflow.reason_label,
            "offer_kind_label": labels.offer_kind_label,
            "offer_status_label": labels.offer_status_label,
            "value_band_label": labels.value_band_label,
            "instrument_label": labels.instrument_label,
            "side_label": labels.side_label,
            "offer_kinds": labels.options("offer_kind"),
            "value_bands": labels.options("value_band"),
            "reasons": labels.options("reason"),
            "facilitator_status_label": labels.facilitator_status_label,
            "event_label": labels.event_label,
            "event_summary": labels.event_summary,
            "intermediaries": [
                (profile_id, name)
                for profile_id, name in facilitators.directory(session)
                if name != deal_name
            ],
            "can_setting": perms.can_change_nda_setting(user, initiative),
            "nda_setting": deal_queries.nda_setting(session, initiative),
            "form": form,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/deals")
def board(request: Request, session: SessionDep, user: CurrentUser):
    return render(
        request,
        "exchange/deals.html",
        {"columns": deal_views.board(session, user), "side_label": labels.side_label},
    )


@router.post("/initiatives/{initiative_id}/deals")
def open_deal(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: PublicInitiative,
    form: Form,
):
    def opened(deal: Deal) -> Response:
        flash(request, _("The deal was opened. Both sides accept the NDA first."), "success")
        return RedirectResponse(_deal_url(deal), status_code=303)

    def refused(refusal: Refusal) -> Response:
        raise ValidationFailed(
            refusal.message or _("Please correct the errors"), errors=refusal.field_errors
        )

    return submit_form(
        session,
        form,
        DealIn,
        lambda data: deal_opening.open_directly(session, user, initiative, data),
        done=opened,
        again=refused,
        catch=ValidationFailed,
    )


@router.post("/requests/{request_id}/deal")
def deal_from_request(
    request: Request, session: SessionDep, user: CurrentUser, contact_request: VisibleRequest
):
    deal = deal_opening.open_from_request(session, user, contact_request)
    flash(request, _("The deal was opened. Both sides accept the NDA first."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/proposals/{proposal_id}/deal")
def deal_from_proposal(request: Request, session: SessionDep, user: CurrentUser, proposal_id: int):
    """The problem's owner or the proposer opens a deal on an awarded proposal."""
    proposal = problem_proposals.get_visible(session, user, proposal_id)
    deal = deal_opening.open_from_proposal(session, user, proposal)
    return _done(request, deal, _("The deal was opened. Both sides accept the NDA first."))


@router.get("/deals/{deal_id}")
def deal_page(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    return _deal_page(request, session, user, deal)


def _done(request: Request, deal: Deal, message: str) -> Response:
    """A step without a form: its message, and back to the deal."""
    flash(request, message, "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


def _act(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    deal: Deal,
    form: Any,
    schema: type[BaseModel],
    verb: Callable[[Any], object],
    done: str,
    form_name: str,
) -> Response:
    """Run one form of the deal page: back to the deal, or the page again with the errors."""

    return submit_form(
        session,
        form,
        schema,
        verb,
        done=lambda _result: _done(request, deal, done),
        again=lambda refusal: _deal_page(
            request,
            session,
            user,
            deal,
            form=form_name,
            values={k: v for k, v in form.items() if isinstance(v, str)},
            errors=refusal.errors,
            status_code=refusal.status,
        ),
        catch=ValidationFailed,
    )


@router.post("/deals/{deal_id}/nda")
def accept_nda(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    address = request.client.host if request.client else ""
    return _act(
        request,
        session,
        user,
        deal,
        form,
        NdaAcceptIn,
        lambda data: nda.accept_nda(session, user, deal, data, address=address),
        _("Your acceptance of the NDA was recorded."),
        "nda",
    )


@router.get("/deals/{deal_id}/nda/{acceptance_id}.pdf")
def nda_pdf(session: SessionDep, user: CurrentUser, deal: ConfidentialDeal, acceptance_id: int):
    return nda_pdf_response(session, deal, acceptance_id)


@router.post("/deals/{deal_id}/advance")
def advance(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    deal_verbs.advance(session, user, deal)
    return _done(request, deal, _("The deal is in due diligence."))


@router.post("/deals/{deal_id}/offers")
def make_offer(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    return _act(
        request,
        session,
        user,
        deal,
        form,
        OfferIn,
        lambda data: deal_verbs.make_offer(session, user, deal, data),
        _("Your offer was sent to the other party."),
        "offer",
    )


@router.post("/deals/{deal_id}/offers/{offer_id}/accept")
def accept_offer(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
):
    deal_verbs.answer_offer(session, user, deal, offer_id, accept=True)
    return _done(
        request, deal, _("You accepted the offer. The submitter can now record the agreement.")
    )


@router.post("/deals/{deal_id}/offers/{offer_id}/decline")
def decline_offer(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
):
    deal_verbs.answer_offer(session, user, deal, offer_id, accept=False)
    return _done(request, deal, _("You declined the offer."))


@router.post("/deals/{deal_id}/abandon")
def abandon(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    return _act(
        request,
        session,
        user,
        deal,
        form,
        AbandonIn,
        lambda data: deal_verbs.abandon(session, user, deal, data),
        _("The deal was abandoned."),
        "abandon",
    )


@router.post("/deals/{deal_id}/agreement")
def sign_agreement(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    deal: VisibleDeal,
    received: StreamedUpload,
):
    """Multipart, streamed; a refused agreement leaves no document in storage."""

    return submit_form(
        session,
        received,
        agreement_upload.parse,
        lambda data: agreement_upload.keep_or_discard(
            received,
            lambda: deal_verbs.sign_agreement(session, user, deal, data, received.files[0]),
        ),
        done=lambda _result: _done(request, deal, _("The signed agreement was recorded.")),
        again=lambda refusal: _deal_page(
            request,
            session,
            user,
            deal,
            form="agreement",
            errors=refusal.errors,
            status_code=refusal.status,
        ),
        catch=ValidationFailed,
    )


@router.get("/deals/{deal_id}/agreement/document")
def agreement_document(session: SessionDep, user: CurrentUser, deal: ConfidentialDeal):
    return agreement_response(session, deal)


@router.post("/deals/{deal_id}/result")
def report_result(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    return _act(
        request,
        session,
        user,
        deal,
        form,
        ResultIn,
        lambda data: deal_verbs.report_result(session, user, deal, data),
        _("The result was reported. The counterparty is asked to confirm it."),
        "result",
    )


@router.post("/deals/{deal_id}/result/confirm")
def confirm_result(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    deal_verbs.confirm_result(session, user, deal)
    return _done(request, deal, _("You confirmed the result: the technology is deployed."))


@router.post("/deals/{deal_id}/nda-setting")
def nda_setting(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    initiative = deal_queries.initiative_of(session, deal)
    return _act(
        request,
        session,
        user,
        deal,
        form,
        NdaSettingIn,
        lambda data: nda.set_nda_setting(
            session, user, initiative, data.open_confidential_after_nda
        ),
        _("The setting was saved."),
        "setting",
    )


# -- public figures ----------------------------------------------------------------------
def _field_names(session: SessionDep) -> dict[str, str]:
    english = get_language() == "en"
    return {f.code: (f.name_en if english else f.name_vi) for f in session.exec(select(FieldRow))}


@router.get("/statistics")
def statistics_page(request: Request, session: SessionDep):
    """The exchange's public aggregates (the same figures as /api/v1/exchange/statistics)."""
    figures = deal_views.statistics(session)
    fields = _field_names(session)
    unknown = _("Not stated")
    undisclosed = _("Not published by the parties")

    def rows(counts: dict[str, int], label: Callable[[str], str]) -> list[tuple[str, int]]:
        return [(label(key), count) for key, count in counts.items()]

    tables = [
        (
            "stage",
            _("Deals by stage"),
            rows(figures["deals_by_stage"], workflow.stage_label),
        ),
        (
            "kind",
            _("Signed agreements by kind"),
            rows(figures["agreements_by_kind"], labels.offer_kind_label),
        ),
        (
            "field",
            _("Signed agreements by field"),
            rows(figures["agreements_by_field"], lambda c: fields.get(c, unknown)),
        ),
        (
            "province",
            _("Signed agreements by province"),
            rows(figures["agreements_by_province"], lambda p: unknown if p == "unknown" else p),
        ),
        (
            "band",
            _("Signed agreements by value band"),
            rows(
                figures["agreements_by_value_band"],
                lambda b: undisclosed if b == "undisclosed" else labels.value_band_label(b),
            ),
        ),
    ]
    return render(
        request,
        "exchange/statistics.html",
        {"tables": tables, "total": sum(figures["deals_by_stage"].values())},
    )


# -- facilitators: an intermediary joins with both parties' consent ---------------------------
@router.post("/deals/{deal_id}/facilitators")
def invite_facilitator(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, form: Form
):
    return _act(
        request,
        session,
        user,
        deal,
        form,
        FacilitatorIn,
        lambda data: facilitators.request(session, user, deal, data.profile_id),
        _("The intermediary was invited. It joins when the other party accepts too."),
        "facilitator",
    )


@router.post("/deals/{deal_id}/facilitators/{facilitator_id}/accept")
def accept_facilitator(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, facilitator_id: int
):
    joined = facilitators.consent(session, user, deal, facilitator_id)
    if joined.status == "active":
        return _done(
            request, deal, _("Both parties accepted: the intermediary facilitates the deal.")
        )
    return _done(request, deal, _("Your side accepted the facilitator."))


@router.post("/deals/{deal_id}/facilitators/{facilitator_id}/remove")
def remove_facilitator(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, facilitator_id: int
):
    facilitators.remove(session, user, deal, facilitator_id)
    return _done(request, deal, _("The facilitator left the deal."))


# -- NDA templates (coordinators) -----------------------------------------------------
def _templates_page(
    request: Request,
    session: SessionDep,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
):
    return render(
        request,
        "exchange/nda_templates.html",
        {
            "templates": deal_queries.templates(session),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/nda-templates")
def templates_page(request: Request, session: SessionDep, user: CurrentUser):
    if not perms.can_manage_templates(user):
        from app.errors import PermissionDenied

        raise PermissionDenied(_("Only coordinators maintain the NDA templates."))
    return _templates_page(request, session)


@router.post("/nda-templates")
def add_template(request: Request, session: SessionDep, user: CurrentUser, form: Form):
    def added(template: Any) -> Response:
        flash(
            request,
            _("Version %(version)s of the NDA template was added.", version=template.version),
            "success",
        )
        return RedirectResponse("/exchange/nda-templates", status_code=303)

    return submit_form(
        session,
        form,
        NdaTemplateIn,
        lambda data: nda.add_template(session, user, data),
        done=added,
        again=lambda refusal: _templates_page(
            request,
            session,
            {k: v for k, v in form.items() if isinstance(v, str)},
            refusal.errors,
            status_code=refusal.status,
        ),
        catch=ValidationFailed,
    )
