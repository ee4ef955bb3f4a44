"""Deal JSON API under /api/v1 (parity with the pages): open, NDA, offers, agreement, result.

Refusals are problem+json: 401 without a token; 404 for a deal the caller is
not a party to (nor a coordinator of); 403 for a step the caller's side may
not take; 409 `invalid-transition` for a step the deal's stage does not allow
(a counter-offer on a closed deal) and `conflict` for a duplicate; 422
`validation-failed` for a bad body (a value that is not a number).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.exchange import agreement_upload, deals
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
from app.i18n import _
from app.initiatives.models import Initiative

router = APIRouter(tags=["deals"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in (problem+json)"},
    403: {"description": "Not allowed for the caller's side (problem+json)"},
    404: {"description": "No such deal for the caller"},
    409: {"description": "The deal's stage does not allow this, or a duplicate"},
    422: {"description": "Validation failed; `errors` maps fields to messages"},
}


def _out(session: SessionDep, user: CurrentUser, deal: Any) -> dict[str, Any]:
    return deals.describe(session, user, deal)


@router.get("/deals", summary="My deals by stage (the pipeline board)")
def board(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The caller's deals in columns by stage; coordinators see every deal."""
    return {"stages": deals.board(session, user)}


@router.post(
    "/initiatives/{initiative_id}/deals",
    status_code=201,
    responses=PROBLEMS,
    summary="Open a deal on a published initiative",
)
def open_deal(
    session: SessionDep, user: CurrentUser, initiative: PublicInitiative, body: DealIn
) -> dict[str, Any]:
    """In the name of the caller's organisation (`kind: funding` with an amount band and an
    instrument records an investor's funding interest)."""
    return _out(session, user, deals.open_directly(session, user, initiative, body))


@router.post(
    "/contact-requests/{request_id}/deal",
    status_code=201,
    responses=PROBLEMS,
    summary="Turn an accepted contact request into a deal",
)
def open_from_request(
    session: SessionDep, user: CurrentUser, request: VisibleRequest
) -> dict[str, Any]:
    return _out(session, user, deals.open_from_request(session, user, request))


@router.get("/deals/{deal_id}", responses=PROBLEMS, summary="Read a deal")
def read(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> dict[str, Any]:
    """Offers (with their confidential values), NDA acceptances, agreement, result, and the
    hash-chained history: for the parties and coordinators only."""
    return _out(session, user, deal)


@router.get("/nda-templates", summary="The NDA templates, every version")
def list_templates(session: SessionDep, user: CurrentUser) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "language": t.language,
            "version": t.version,
            "title": t.title,
            "body": t.body,
            "sha256": t.sha256,
            "created_at": t.created_at,
        }
        for t in deals.templates(session)
    ]


@router.post(
    "/nda-templates", status_code=201, responses=PROBLEMS, summary="Add an NDA template version"
)
def add_template(session: SessionDep, user: CurrentUser, body: NdaTemplateIn) -> dict[str, Any]:
    """Coordinators only; the new text becomes the next version in its language."""
    t = deals.add_template(session, user, body)
    return {"id": t.id, "language": t.language, "version": t.version, "sha256": t.sha256}


@router.post("/deals/{deal_id}/nda", responses=PROBLEMS, summary="Accept the NDA for my side")
def accept_nda(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: NdaAcceptIn
) -> dict[str, Any]:
    """Send the template id and the SHA-256 of the text you read; a changed text is a 409."""
    address = request.client.host if request.client else ""
    deals.accept_nda(session, user, deal, body, address=address)
    return _out(session, user, deal)


@router.get(
    "/deals/{deal_id}/nda/{acceptance_id}.pdf",
    responses=PROBLEMS,
    summary="PDF copy of an NDA acceptance",
)
def nda_pdf(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, acceptance_id: int
) -> Response:
    return nda_pdf_response(session, deal, acceptance_id)


@router.post("/deals/{deal_id}/advance", responses=PROBLEMS, summary="Start due diligence")
def advance(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> dict[str, Any]:
    deals.advance(session, user, deal)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/offers",
    status_code=201,
    responses=PROBLEMS,
    summary="Make an offer or a counter-offer",
)
def make_offer(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: OfferIn
) -> dict[str, Any]:
    """A counter-offer when the other side's offer is open; `value_vnd` stays confidential."""
    deals.make_offer(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/offers/{offer_id}/accept", responses=PROBLEMS, summary="Accept an offer"
)
def accept_offer(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
) -> dict[str, Any]:
    deals.answer_offer(session, user, deal, offer_id, accept=True)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/offers/{offer_id}/decline", responses=PROBLEMS, summary="Decline an offer"
)
def decline_offer(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
) -> dict[str, Any]:
    deals.answer_offer(session, user, deal, offer_id, accept=False)
    return _out(session, user, deal)


@router.post("/deals/{deal_id}/abandon", responses=PROBLEMS, summary="Abandon the deal")
def abandon(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: AbandonIn
) -> dict[str, Any]:
    deals.abandon(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/agreement",
    status_code=201,
    responses=PROBLEMS,
    summary="Record the signed agreement (multipart: fields and `document`)",
)
async def sign_agreement(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal
) -> dict[str, Any]:
    """multipart/form-data: `signed_on`, optional `value_vnd` (confidential) and `value_band`
    (public), and the signed document as `document`. The submitter records it; the first signed
    agreement moves the initiative to `commercialising`. Cookie clients send `X-CSRF-Token`."""
    _fields, data, document = await agreement_upload.receive(request)

    def record() -> dict[str, Any]:
        agreement_upload.keep_or_discard(
            document, lambda: deals.sign_agreement(session, user, deal, data, document)
        )
        return _out(session, user, deal)

    return await run_in_threadpool(record)


@router.get(
    "/deals/{deal_id}/agreement/document",
    responses=PROBLEMS,
    summary="Download the signed agreement",
)
def agreement_document(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> Response:
    return agreement_response(session, deal)


@router.post("/deals/{deal_id}/result", responses=PROBLEMS, summary="Report the result")
def report_result(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: ResultIn
) -> dict[str, Any]:
    deals.report_result(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/result/confirm", responses=PROBLEMS, summary="Confirm the reported result"
)
def confirm_result(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> dict[str, Any]:
    deals.confirm_result(session, user, deal)
    return _out(session, user, deal)


@router.put(
    "/initiatives/{initiative_id}/exchange-settings",
    responses=PROBLEMS,
    summary="Open confidential sections automatically after the NDA",
)
def nda_setting(
    session: SessionDep, user: CurrentUser, initiative_id: int, body: NdaSettingIn
) -> dict[str, Any]:
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        raise NotFound(_("No such initiative."))
    deals.set_nda_setting(session, user, initiative, body.open_confidential_after_nda)
    return {"open_confidential_after_nda": deals.nda_setting(session, initiative)}


@router.get("/exchange/statistics", summary="Aggregate exchange figures (public)")
def statistics(session: SessionDep) -> dict[str, Any]:
    """Counts by stage, kind, field, province and published value band; no value, no party."""
    return deals.statistics(session)
