"""Deal pages: the pipeline board, the deal page with its forms, history and documents, NDA templates.

Each POST parses its form, calls one verb of `deals.py` and redirects back to
the deal page; a form with errors re-renders the deal page with what was typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import ValidationFailed
from app.exchange import agreement_upload, deals
from app.exchange import deal_workflow as workflow
from app.exchange import permissions as perms
from app.exchange.deal_schemas import (
    AbandonIn,
    DealIn,
    NdaAcceptIn,
    NdaSettingIn,
    NdaTemplateIn,
    OfferIn,
    ResultIn,
)
from app.exchange.deps import PublicInitiative, VisibleDeal, VisibleRequest
from app.exchange.downloads import agreement_response, nda_pdf_response
from app.exchange.models import Deal
from app.i18n import _
from app.web.flash import flash
from app.web.forms import parse_form
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
    initiative = deals.initiative_of(session, deal)
    return render(
        request,
        "exchange/deal.html",
        {
            "d": deals.describe(session, user, deal),
            "templates": deals.current_templates(session),
            "stage_label": workflow.stage_label,
            "reason_label": workflow.reason_label,
            "offer_kind_label": deals.offer_kind_label,
            "offer_status_label": deals.offer_status_label,
            "value_band_label": deals.value_band_label,
            "instrument_label": deals.instrument_label,
            "side_label": deals.side_label,
            "offer_kinds": deals.options("offer_kind"),
            "value_bands": deals.options("value_band"),
            "reasons": deals.options("reason"),
            "can_setting": perms.can_change_nda_setting(user, initiative),
            "nda_setting": deals.nda_setting(session, initiative),
            "form": form,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _parse(request: Request, schema: type[BaseModel]) -> tuple[Any, dict[str, Any], dict]:
    form = await request.form()
    data, errors = parse_form(schema, form)
    return data, {k: v for k, v in form.items() if isinstance(v, str)}, errors


@router.get("/deals")
def board(request: Request, session: SessionDep, user: CurrentUser):
    return render(
        request,
        "exchange/deals.html",
        {"columns": deals.board(session, user), "side_label": deals.side_label},
    )


@router.post("/initiatives/{initiative_id}/deals")
async def open_deal(
    request: Request, session: SessionDep, user: CurrentUser, initiative: PublicInitiative
):
    data, _values, errors = await _parse(request, DealIn)
    if data is None:
        raise ValidationFailed(_("Please correct the errors"), errors=errors)
    deal = await run_in_threadpool(deals.open_directly, session, user, initiative, data)
    flash(request, _("The deal was opened. Both sides accept the NDA first."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/requests/{request_id}/deal")
def deal_from_request(
    request: Request, session: SessionDep, user: CurrentUser, contact_request: VisibleRequest
):
    deal = deals.open_from_request(session, user, contact_request)
    flash(request, _("The deal was opened. Both sides accept the NDA first."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.get("/deals/{deal_id}")
def deal_page(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    return _deal_page(request, session, user, deal)


async def _act(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    deal: Deal,
    schema: type[BaseModel] | None,
    verb: Any,
    done: str,
    form_name: str,
):
    data: Any = None
    if schema is not None:
        data, values, errors = await _parse(request, schema)
        if data is None:
            return await run_in_threadpool(
                lambda: _deal_page(
                    request,
                    session,
                    user,
                    deal,
                    form=form_name,
                    values=values,
                    errors=errors,
                    status_code=400,
                )
            )
    await run_in_threadpool(verb, data)
    flash(request, done, "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/deals/{deal_id}/nda")
async def accept_nda(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    address = request.client.host if request.client else ""
    return await _act(
        request,
        session,
        user,
        deal,
        NdaAcceptIn,
        lambda data: deals.accept_nda(session, user, deal, data, address=address),
        _("Your acceptance of the NDA was recorded."),
        "nda",
    )


@router.get("/deals/{deal_id}/nda/{acceptance_id}.pdf")
def nda_pdf(session: SessionDep, user: CurrentUser, deal: VisibleDeal, acceptance_id: int):
    return nda_pdf_response(session, deal, acceptance_id)


@router.post("/deals/{deal_id}/advance")
def advance(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    deals.advance(session, user, deal)
    flash(request, _("The deal is in due diligence."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/deals/{deal_id}/offers")
async def make_offer(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    return await _act(
        request,
        session,
        user,
        deal,
        OfferIn,
        lambda data: deals.make_offer(session, user, deal, data),
        _("Your offer was sent to the other party."),
        "offer",
    )


@router.post("/deals/{deal_id}/offers/{offer_id}/accept")
def accept_offer(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
):
    deals.answer_offer(session, user, deal, offer_id, accept=True)
    flash(
        request, _("You accepted the offer. The submitter can now record the agreement."), "success"
    )
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/deals/{deal_id}/offers/{offer_id}/decline")
def decline_offer(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
):
    deals.answer_offer(session, user, deal, offer_id, accept=False)
    flash(request, _("You declined the offer."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/deals/{deal_id}/abandon")
async def abandon(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    return await _act(
        request,
        session,
        user,
        deal,
        AbandonIn,
        lambda data: deals.abandon(session, user, deal, data),
        _("The deal was abandoned."),
        "abandon",
    )


@router.post("/deals/{deal_id}/agreement")
async def sign_agreement(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal
):
    try:
        _fields, data, document = await agreement_upload.receive(request)
    except ValidationFailed as exc:
        errors = exc.errors
        return await run_in_threadpool(
            lambda: _deal_page(
                request,
                session,
                user,
                deal,
                form="agreement",
                errors=errors,
                status_code=400,
            )
        )
    await run_in_threadpool(
        agreement_upload.keep_or_discard,
        document,
        lambda: deals.sign_agreement(session, user, deal, data, document),
    )
    flash(request, _("The signed agreement was recorded."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.get("/deals/{deal_id}/agreement/document")
def agreement_document(session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    return agreement_response(session, deal)


@router.post("/deals/{deal_id}/result")
async def report_result(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal
):
    return await _act(
        request,
        session,
        user,
        deal,
        ResultIn,
        lambda data: deals.report_result(session, user, deal, data),
        _("The result was reported. The counterparty is asked to confirm it."),
        "result",
    )


@router.post("/deals/{deal_id}/result/confirm")
def confirm_result(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    deals.confirm_result(session, user, deal)
    flash(request, _("You confirmed the result: the technology is deployed."), "success")
    return RedirectResponse(_deal_url(deal), status_code=303)


@router.post("/deals/{deal_id}/nda-setting")
async def nda_setting(request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal):
    initiative = deals.initiative_of(session, deal)
    return await _act(
        request,
        session,
        user,
        deal,
        NdaSettingIn,
        lambda data: deals.set_nda_setting(
            session, user, initiative, data.open_confidential_after_nda
        ),
        _("The setting was saved."),
        "setting",
    )


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
        {"templates": deals.templates(session), "values": values or {}, "errors": errors or {}},
        status_code=status_code,
    )


@router.get("/nda-templates")
def templates_page(request: Request, session: SessionDep, user: CurrentUser):
    if not perms.can_manage_templates(user):
        from app.errors import PermissionDenied

        raise PermissionDenied(_("Only coordinators maintain the NDA templates."))
    return _templates_page(request, session)


@router.post("/nda-templates")
async def add_template(request: Request, session: SessionDep, user: CurrentUser):
    data, values, errors = await _parse(request, NdaTemplateIn)
    if data is None:
        return await run_in_threadpool(
            lambda: _templates_page(request, session, values, errors, status_code=400)
        )
    template = await run_in_threadpool(deals.add_template, session, user, data)
    flash(
        request,
        _("Version %(version)s of the NDA template was added.", version=template.version),
        "success",
    )
    return RedirectResponse("/exchange/nda-templates", status_code=303)
