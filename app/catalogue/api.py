"""The catalogue's JSON API: search with facets, suggestions, an initiative's public record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from app.accounts.deps import OptionalUser
from app.catalogue import service
from app.catalogue.schemas import (
    MAX_PAGE,
    MAX_QUERY,
    CertificateOut,
    Facet,
    FacetValue,
    MaybeOut,
    PublicRecord,
    SearchHit,
    SearchParams,
    SearchResponse,
    SimilarOut,
    Sort,
    SuggestResponse,
)
from app.db import SessionDep
from app.matching import history as viewing
from app.matching import recommend as matching
from app.web.api import problems, public

router = APIRouter(tags=["catalogue"])

UNAVAILABLE = problems(e503="The search engine is unavailable (problem+json); retry later.")


@router.get(
    "/search",
    response_model=SearchResponse,
    responses=UNAVAILABLE,
    summary="Search published initiatives",
)
@public
def search(
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY,
            description="Words, with or without accents; the last word may be unfinished.",
            examples=["nang luong mat troi"],
        ),
    ] = "",
    field: Annotated[list[str], Query(description="Field codes (OR).", examples=[["CNS"]])] = [],  # noqa: B006
    province: Annotated[
        list[str], Query(description="Provinces (OR).", examples=[["Hà Nội"]])
    ] = [],  # noqa: B006
    org_type: Annotated[
        list[str], Query(description="Organisation types (OR).", examples=[["university"]])
    ] = [],  # noqa: B006
    # Bounds go on the items: `ge` on the list itself makes pydantic raise a TypeError (a 500).
    trl: Annotated[
        list[Annotated[int, Field(ge=1, le=9)]],
        Query(description="Technology readiness levels 1–9 (OR)."),
    ] = [],  # noqa: B006
    ip: Annotated[list[str], Query(description="IP status (OR): none, filed, granted.")] = [],  # noqa: B006
    year: Annotated[
        list[Annotated[int, Field(ge=1900, le=2999)]],
        Query(description="Years of publication (OR)."),
    ] = [],  # noqa: B006
    sort: Annotated[
        Sort,
        Query(
            description="relevance (newest first without words), newest, or trl (most ready first)."
        ),
    ] = "relevance",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=50)] = 20,
):
    """The same search as the web page `/search`, with the same parameters.

    Filters combine as OR within a parameter and AND across parameters, e.g.
    `/api/v1/search?q=dien&province=Hà Nội&province=Huế&trl=7&sort=newest`.
    Each facet's counts apply every filter except that facet's own, so they
    show how many results choosing another value would give. Highlights are
    HTML-escaped with matched words in `<mark>`.
    """
    given: dict[str, list[Any]] = {
        "field": field,
        "province": province,
        "org_type": org_type,
        "trl": trl,
        "ip": ip,
        "year": year,
    }
    params = SearchParams(
        q=" ".join(q.split()),
        filters={k: list(dict.fromkeys(v)) for k, v in given.items() if v},
        sort=sort,
        page=page,
        per_page=per_page,
    )
    results = service.run_search(session, params)
    field_label = service.field_labeller(session)
    return SearchResponse(
        query=params.q,
        total=results.total,
        page=params.page,
        pages=results.pages,
        per_page=params.per_page,
        sort=params.sort,
        filters=params.filters,
        suggestion=results.suggestion,
        ignored=list(results.ignored),
        notice=service.ignored_notice(results),
        url=params.url(),
        hits=[_hit(field_label, h) for h in results.hits],
        maybe=[
            MaybeOut(id=m.id, title=m.title, url=m.url, closeness=m.closeness, reasons=m.reasons)
            for m in matching.maybe(session, results)
        ],
        facets=[
            Facet(
                name=f.name,
                title=f.title,
                values=[
                    FacetValue(value=v.value, label=v.label, count=v.count, selected=v.selected)
                    for v in f.values
                ],
            )
            for f in results.facets
        ],
    )


def _hit(field_label: Callable[[str | None, str], str], hit: service.HitView) -> SearchHit:
    doc = hit.doc
    return SearchHit(
        id=hit.id,
        title=doc.get("title", ""),
        title_html=hit.title_html,
        snippet_html=hit.snippet_html,
        field=field_label(doc.get("field_code"), doc.get("field_name") or "") or None,
        field_code=doc.get("field_code"),
        province=doc.get("province"),
        organisation=doc.get("organisation"),
        organisation_type=doc.get("organisation_type"),
        trl=doc.get("trl"),
        ip_status=doc.get("ip_status"),
        published_at=doc.get("published_at"),
        publication_year=doc.get("publication_year"),
        certificate_number=doc.get("certificate_number"),
        keywords=doc.get("keywords", []),
        url=hit.url,
    )


@router.get(
    "/search/suggest",
    response_model=SuggestResponse,
    responses=UNAVAILABLE,
    summary="Title and keyword completions while typing",
)
@public
def suggest(
    session: SessionDep,
    q: Annotated[
        str,
        Query(
            max_length=100,
            description="What the visitor has typed so far.",
            examples=["nang luong m"],
        ),
    ] = "",
):
    """Up to 8 titles and keywords of published initiatives matching the words typed, the last
    one as a prefix; those that start with the typed words come first."""
    return SuggestResponse(query=q, suggestions=service.suggest(session, q))


@router.get(
    "/catalogue/{initiative_id}",
    response_model=PublicRecord,
    summary="The public record of a published initiative",
    responses=problems(e404="Not published (problem+json)."),
)
@public
def public_record(session: SessionDep, user: OptionalUser, initiative_id: int):
    """The public sections and publication data of a published initiative, with its
    certificate and similar initiatives. Confidential sections are never included.
    A signed-in caller's view is noted for their own suggestions (`GET /me/viewed`)."""
    page = service.published_page(session, initiative_id)
    if user is not None:
        viewing.record(session, user, service.published_initiative(session, initiative_id))
    cert = page.certificate
    return PublicRecord.model_validate(
        {
            **page.item,
            "certificate": CertificateOut(number=cert.number, issued_at=cert.issued_at)
            if cert
            else None,
            "similar": [
                SimilarOut(
                    id=h.id, title=h.doc.get("title", ""), url=h.url, reasons=list(h.reasons)
                )
                for h in page.similar
            ],
        }
    )
