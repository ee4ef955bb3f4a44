"""The catalogue's search parameters (one shape for the page, the API and the URL) and API bodies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from app.i18n import _

Sort = Literal["relevance", "newest", "trl"]
PER_PAGE = 20
MAX_PAGE = 500  # deep pages cost the engine; nobody reads past 10,000 results
MAX_QUERY = 200

# URL parameter → (engine field, value type). The order is the facets' order on the page.
FACETS: dict[str, tuple[str, type]] = {
    "field": ("field_code", str),
    "province": ("province", str),
    "org_type": ("organisation_type", str),
    "trl": ("trl", int),
    "ip": ("ip_status", str),
    "year": ("publication_year", int),
}


def facet_titles() -> dict[str, str]:
    return {
        "field": _("Field"),
        "province": _("Province or city"),
        "org_type": _("Organisation type"),
        "trl": _("Technology readiness (TRL)"),
        "ip": _("Intellectual property"),
        "year": _("Year published"),
    }


class SearchParams(BaseModel):
    """Everything that defines a results page; it round-trips through the URL."""

    q: str = Field("", max_length=MAX_QUERY)
    filters: dict[str, list[Any]] = Field(default_factory=dict)
    sort: Sort = "relevance"
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(PER_PAGE, ge=1, le=50)

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> SearchParams:
        """Parse a query string leniently: a value that cannot be used is dropped,
        never an error, so any shared or hand-edited link still opens a page."""
        getlist = (
            params.getlist if hasattr(params, "getlist") else (lambda k: list(params.get(k) or []))
        )
        filters: dict[str, list[Any]] = {}
        for name, (_field, kind) in FACETS.items():
            values: list[Any] = []
            for raw in getlist(name):
                raw = str(raw).strip()
                if not raw:
                    continue
                if kind is int:
                    if not raw.isdigit() or len(raw) > 6:
                        continue
                    raw = int(raw)
                elif len(raw) > 120:
                    continue
                if raw not in values:
                    values.append(raw)
            if values:
                filters[name] = values
        sort = params.get("sort")
        page = str(params.get("page") or "1")
        return cls(
            q=" ".join(str(params.get("q") or "").split())[:MAX_QUERY],
            filters=filters,
            sort=sort if sort in ("relevance", "newest", "trl") else "relevance",
            page=min(int(page), MAX_PAGE) if page.isdigit() and int(page) >= 1 else 1,
        )

    def query_items(self, **changes: Any) -> list[tuple[str, Any]]:
        """The parameters as (name, value) pairs in a stable order; defaults are left out."""
        state = {
            "q": self.q,
            "filters": self.filters,
            "sort": self.sort,
            "page": self.page,
            **changes,
        }
        items: list[tuple[str, Any]] = [("q", state["q"])] if state["q"] else []
        for name in FACETS:
            items.extend((name, v) for v in state["filters"].get(name, []))
        if state["sort"] != "relevance":
            items.append(("sort", state["sort"]))
        if state["page"] != 1:
            items.append(("page", state["page"]))
        return items

    def url(self, base: str = "/search", **changes: Any) -> str:
        """This search with `changes` (any other change resets the page to 1)."""
        if "page" not in changes:
            changes["page"] = 1
        query = urlencode(self.query_items(**changes))
        return f"{base}?{query}" if query else base

    def toggled(self, name: str, value: Any) -> dict[str, list[Any]]:
        """The filters with `value` of facet `name` switched on or off."""
        filters = {k: list(v) for k, v in self.filters.items()}
        current = filters.setdefault(name, [])
        if value in current:
            current.remove(value)
        else:
            current.append(value)
        return {k: v for k, v in filters.items() if v}

    def without(self, name: str) -> dict[str, list[Any]]:
        return {k: v for k, v in self.filters.items() if k != name}


# -- API bodies -----------------------------------------------------------------


class FacetValue(BaseModel):
    value: str | int
    label: str
    count: int
    selected: bool


class Facet(BaseModel):
    name: str = Field(description="The URL parameter that filters on this facet.")
    title: str
    values: list[FacetValue]


class SearchHit(BaseModel):
    id: int
    title: str
    title_html: str = Field(description="The title, HTML-escaped, matched words in <mark>.")
    snippet_html: str = Field(
        description="A passage of the summary, HTML-escaped, matched words in <mark>."
    )
    field: str | None = None
    field_code: str | None = None
    province: str | None = None
    organisation: str | None = None
    organisation_type: str | None = None
    trl: int | None = None
    ip_status: str | None = None
    published_at: int | None = Field(None, description="Unix time of publication.")
    publication_year: int | None = None
    certificate_number: str | None = None
    keywords: list[str] = []
    url: str


class MaybeOut(BaseModel):
    """“Có thể bạn quan tâm”: an initiative close in meaning to the query, without its words."""

    id: int
    title: str
    url: str
    closeness: float | None = Field(
        None, description="Cosine between the query and the initiative's public text (0–1)."
    )
    reasons: list[str] = Field(description="Why it is offered, in the reader's language.")


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    pages: int
    per_page: int
    sort: Sort
    filters: dict[str, list[str | int]]
    hits: list[SearchHit]
    facets: list[Facet]
    suggestion: str | None = Field(
        None,
        description="A corrected query (“did you mean”), when a word was fixed; "
        "offered only when it finds something with the same filters.",
    )
    ignored: list[str] = Field(
        [],
        description="Typed words left out because no initiative matched every word "
        "(words that match nothing, then words from the end, down to the first).",
    )
    notice: str | None = Field(
        None, description="The sentence the web page shows when words were left out."
    )
    url: str = Field(description="The same search on the web page, to share.")
    maybe: list[MaybeOut] = Field(
        [],
        description="“Có thể bạn quan tâm”: on the first page, when the strict search found "
        "fewer than 3 results or left typed words out, published initiatives close in meaning "
        "to the query in any language the model knows (within the same filters). Empty "
        "without an embedding model.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "query": "nang luong mat troi",
                    "total": 1,
                    "page": 1,
                    "pages": 1,
                    "per_page": 20,
                    "sort": "relevance",
                    "filters": {"province": ["Hà Nội"]},
                    "hits": [
                        {
                            "id": 12,
                            "title": "Hệ thống năng lượng mặt trời cho trường học",
                            "title_html": "Hệ thống <mark>năng</mark> <mark>lượng</mark> <mark>mặt</mark> <mark>trời</mark> cho trường học",
                            "snippet_html": "Pin <mark>mặt</mark> <mark>trời</mark> trên mái …",
                            "field": "Công nghiệp và xây dựng",
                            "field_code": "CNXD",
                            "province": "Hà Nội",
                            "organisation": "Đại học Bách khoa Hà Nội",
                            "organisation_type": "university",
                            "trl": 6,
                            "ip_status": "granted",
                            "published_at": 1767225600,
                            "publication_year": 2026,
                            "certificate_number": "CN-2026-000012",
                            "keywords": ["năng lượng mặt trời"],
                            "url": "/catalogue/12",
                        }
                    ],
                    "facets": [
                        {
                            "name": "province",
                            "title": "Tỉnh, thành phố",
                            "values": [
                                {"value": "Hà Nội", "label": "Hà Nội", "count": 1, "selected": True}
                            ],
                        }
                    ],
                    "suggestion": None,
                    "ignored": [],
                    "notice": None,
                    "url": "/search?q=nang+luong+mat+troi&province=H%C3%A0+N%E1%BB%99i",
                    "maybe": [
                        {
                            "id": 31,
                            "title": "Pin quang điện áp mái cho trường học vùng cao",
                            "url": "/catalogue/31",
                            "closeness": 0.8712,
                            "reasons": ["Gần nghĩa với nội dung bạn tìm"],
                        }
                    ],
                }
            ]
        }
    }


class SuggestResponse(BaseModel):
    query: str
    suggestions: list[str]


class FieldOut(BaseModel):
    code: str
    name_vi: str
    name_en: str


class OrganisationOut(BaseModel):
    name: str
    type: str


class AuthorOut(BaseModel):
    full_name: str
    organisation_name: str | None = None


class CertificateOut(BaseModel):
    number: str
    issued_at: datetime


class SimilarOut(BaseModel):
    id: int
    title: str
    url: str
    reasons: list[str] = []  # why it was suggested: shared key terms, same field, closeness


class PublicRecord(BaseModel):
    """What anyone may read of a published initiative (the visibility rules decide the fields)."""

    id: int
    status: str
    title: str
    summary: str
    problem: str = ""
    impact: str = ""
    field: FieldOut | None = None
    subfield: FieldOut | None = None
    keywords: list[str] = []
    trl: int | None = None
    province: str | None = None
    ip_status: str | None = None
    ip_number: str | None = None
    organisation: OrganisationOut | None = None
    authors: list[AuthorOut] = []
    resources_wanted: list[str] = []
    resources_note: str = ""
    published_at: datetime | None = None
    certificate: CertificateOut | None = None
    similar: list[SimilarOut] = []


class SynonymForm(BaseModel):
    """One group of words that mean the same, typed as a comma-separated list."""

    terms: str = Field(min_length=1, max_length=500)
