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

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.exchange import (
    agreement_upload,
    deal_opening,
    deal_queries,
    deal_verbs,
    deal_views,
    facilitators,
    intermediaries,
    nda,
)
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
from app.i18n import _
from app.initiatives.models import Initiative
from app.problems import proposals as problem_proposals
from app.storage import StreamedUpload
from app.web.api import problems, public

router = APIRouter(tags=["deals"])
PROBLEMS = problems(
    e401="Not signed in, or the token is invalid (problem+json)",
    e403="Not allowed for the caller's side (problem+json)",
    e404="No such deal for the caller (problem+json)",
    e409="The deal's stage does not allow this, or a duplicate (problem+json)",
    e422="Invalid input; `errors` maps fields to messages (problem+json)",
)


def _out(session: SessionDep, user: CurrentUser, deal: Any) -> dict[str, Any]:
    """The answer of every deal verb: the deal as the caller's side sees it (verbs act on the
    deal their dependency loaded and checked, then answer it)."""
    return deal_views.describe(session, user, deal)


@router.get("/deals", summary="My deals by stage (the pipeline board)")
def board(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """The caller's deals in columns by stage; coordinators see every deal."""
    return {"stages": deal_views.board(session, user)}


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
    return _out(session, user, deal_opening.open_directly(session, user, initiative, body))


@router.post(
    "/contact-requests/{request_id}/deal",
    status_code=201,
    responses=PROBLEMS,
    summary="Turn an accepted contact request into a deal",
)
def open_from_request(
    session: SessionDep, user: CurrentUser, request: VisibleRequest
) -> dict[str, Any]:
    return _out(session, user, deal_opening.open_from_request(session, user, request))


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
        for t in deal_queries.templates(session)
    ]


@router.post(
    "/nda-templates", status_code=201, responses=PROBLEMS, summary="Add an NDA template version"
)
def add_template(session: SessionDep, user: CurrentUser, body: NdaTemplateIn) -> dict[str, Any]:
    """Coordinators only; the new text becomes the next version in its language."""
    t = nda.add_template(session, user, body)
    return {"id": t.id, "language": t.language, "version": t.version, "sha256": t.sha256}


@router.post("/deals/{deal_id}/nda", responses=PROBLEMS, summary="Accept the NDA for my side")
def accept_nda(
    request: Request, session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: NdaAcceptIn
) -> dict[str, Any]:
    """Send the template id and the SHA-256 of the text you read; a changed text is a 409."""
    address = request.client.host if request.client else ""
    nda.accept_nda(session, user, deal, body, address=address)
    return _out(session, user, deal)


@router.get(
    "/deals/{deal_id}/nda/{acceptance_id}.pdf",
    responses=PROBLEMS,
    summary="PDF copy of an NDA acceptance",
)
def nda_pdf(
    session: SessionDep, user: CurrentUser, deal: ConfidentialDeal, acceptance_id: int
) -> Response:
    return nda_pdf_response(session, deal, acceptance_id)


@router.post("/deals/{deal_id}/advance", responses=PROBLEMS, summary="Start due diligence")
def advance(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> dict[str, Any]:
    deal_verbs.advance(session, user, deal)
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
    deal_verbs.make_offer(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/offers/{offer_id}/accept", responses=PROBLEMS, summary="Accept an offer"
)
def accept_offer(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
) -> dict[str, Any]:
    deal_verbs.answer_offer(session, user, deal, offer_id, accept=True)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/offers/{offer_id}/decline", responses=PROBLEMS, summary="Decline an offer"
)
def decline_offer(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, offer_id: int
) -> dict[str, Any]:
    deal_verbs.answer_offer(session, user, deal, offer_id, accept=False)
    return _out(session, user, deal)


@router.post("/deals/{deal_id}/abandon", responses=PROBLEMS, summary="Abandon the deal")
def abandon(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: AbandonIn
) -> dict[str, Any]:
    deal_verbs.abandon(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/agreement",
    status_code=201,
    responses=PROBLEMS,
    summary="Record the signed agreement (multipart: fields and `document`)",
)
def sign_agreement(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, received: StreamedUpload
) -> dict[str, Any]:
    """multipart/form-data: `signed_on`, optional `value_vnd` (confidential) and `value_band`
    (public), and the signed document as `document`. The submitter records it; the first signed
    agreement moves the initiative to `commercialising`. Cookie clients send `X-CSRF-Token`."""
    data, document = agreement_upload.receive(received)
    agreement_upload.keep_or_discard(
        received, lambda: deal_verbs.sign_agreement(session, user, deal, data, document)
    )
    return _out(session, user, deal)


@router.get(
    "/deals/{deal_id}/agreement/document",
    responses=PROBLEMS,
    summary="Download the signed agreement",
)
def agreement_document(session: SessionDep, user: CurrentUser, deal: ConfidentialDeal) -> Response:
    return agreement_response(session, deal)


@router.post("/deals/{deal_id}/result", responses=PROBLEMS, summary="Report the result")
def report_result(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: ResultIn
) -> dict[str, Any]:
    deal_verbs.report_result(session, user, deal, body)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/result/confirm", responses=PROBLEMS, summary="Confirm the reported result"
)
def confirm_result(session: SessionDep, user: CurrentUser, deal: VisibleDeal) -> dict[str, Any]:
    deal_verbs.confirm_result(session, user, deal)
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
    nda.set_nda_setting(session, user, initiative, body.open_confidential_after_nda)
    return {"open_confidential_after_nda": deal_queries.nda_setting(session, initiative)}


@router.get("/exchange/statistics", summary="Aggregate exchange figures (public)")
@public
def statistics(session: SessionDep) -> dict[str, Any]:
    """Counts by stage, kind, field, province and published value band; no value, no party."""
    return deal_views.statistics(session)


# -- facilitators ---------------------------------------------------------------------
@router.post(
    "/deals/{deal_id}/facilitators",
    status_code=201,
    responses=PROBLEMS,
    summary="Invite an intermediary to facilitate the deal (your side consents)",
)
def invite_facilitator(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, body: FacilitatorIn
) -> dict[str, Any]:
    facilitators.request(session, user, deal, body.profile_id)
    return _out(session, user, deal)


@router.post(
    "/service-requests/{request_id}/facilitate",
    status_code=201,
    responses=PROBLEMS,
    summary="The intermediary serving a deal asks both parties to accept it as facilitator",
)
def ask_to_facilitate(session: SessionDep, user: CurrentUser, request_id: int) -> dict[str, Any]:
    service_request = intermediaries.get_visible_request(session, user, request_id)
    if service_request.deal_id is None:
        raise NotFound(_("This service request is not about a deal."))
    deal = session.get_one(Deal, service_request.deal_id)
    facilitator = facilitators.request(session, user, deal, service_request.profile_id)
    return {"id": facilitator.id, "deal_id": deal.id, "status": facilitator.status}


@router.post(
    "/deals/{deal_id}/facilitators/{facilitator_id}/accept",
    responses=PROBLEMS,
    summary="Your side accepts the facilitator (it joins when both sides have)",
)
def accept_facilitator(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, facilitator_id: int
) -> dict[str, Any]:
    facilitators.consent(session, user, deal, facilitator_id)
    return _out(session, user, deal)


@router.post(
    "/deals/{deal_id}/facilitators/{facilitator_id}/remove",
    responses=PROBLEMS,
    summary="Remove the facilitator, or decline the request (either party)",
)
def remove_facilitator(
    session: SessionDep, user: CurrentUser, deal: VisibleDeal, facilitator_id: int
) -> dict[str, Any]:
    facilitators.remove(session, user, deal, facilitator_id)
    return _out(session, user, deal)


@router.post(
    "/proposals/{proposal_id}/deal",
    status_code=201,
    responses=PROBLEMS,
    summary="Open a deal on a problem's awarded proposal (its owner or the proposer)",
)
def deal_from_proposal(session: SessionDep, user: CurrentUser, proposal_id: int) -> dict[str, Any]:
    proposal = problem_proposals.get_visible(session, user, proposal_id)
    return _out(session, user, deal_opening.open_from_proposal(session, user, proposal))
