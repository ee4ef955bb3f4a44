"""The deal's documents as downloads: the signed agreement and the NDA copies (after the caller's
deal was loaded by `VisibleDeal`, which admits only the parties and coordinators)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app.errors import NotFound
from app.exchange import deal_queries, nda_pdf
from app.exchange.models import Deal, NdaAcceptance, NdaTemplate
from app.i18n import _
from app.storage import get_storage

_PRIVATE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"}


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def agreement_response(session: Session, deal: Deal) -> Response:
    agreement = deal_queries.agreement_of(session, deal)
    if agreement is None:
        raise NotFound(_("This deal has no signed agreement yet."))
    return StreamingResponse(
        get_storage().open(agreement.storage_key),
        media_type=agreement.content_type,
        headers={"Content-Disposition": _disposition(agreement.filename), **_PRIVATE},
    )


def nda_pdf_response(session: Session, deal: Deal, acceptance_id: int) -> Response:
    acceptance = session.get(NdaAcceptance, acceptance_id)
    if acceptance is None or acceptance.deal_id != deal.id:
        raise NotFound(_("No such NDA acceptance."))
    template = session.get(NdaTemplate, acceptance.template_id)
    assert template is not None
    content = nda_pdf.render(
        deal, deal_queries.initiative_of(session, deal).title, template, [acceptance]
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": _disposition(f"nda-deal-{deal.id}-{acceptance.side}.pdf"),
            **_PRIVATE,
        },
    )
