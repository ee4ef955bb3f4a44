"""The two document kinds and their indexes, kept as code: initiatives and
problem statements (đặt hàng).

Documents are plain dicts with exactly the fields below.  Only public data is
ever handed to the engine (the application guarantees it), which is why no
other text field exists here: adding one is a deliberate schema change.
Both kinds use ``title``, ``summary`` and ``keywords`` for the text that
suggestions and "similar" read (a problem's summary is its public abstract,
problems carry no keywords yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.interface import DocumentSchema, IndexSettings, TypoSettings, normalise_synonyms
from search.synonyms import SYNONYM_GROUPS

TEXT_FIELDS = (
    "id",
    "title",
    "summary",
    "field_code",
    "field_name",
    "subfield_code",
    "subfield_name",
    "province",
    "organisation",
    "organisation_type",
    "ip_status",
    "certificate_number",
    "stage",  # published or commercialising
)
LIST_FIELDS = ("keywords",)
INT_FIELDS = ("trl", "published_at", "publication_year", "version")

DEFAULT_SYNONYMS = normalise_synonyms(SYNONYM_GROUPS)

# Function words that carry no meaning in a query ("giải pháp *cho* nông nghiệp",
# "chống hàng giả *bằng* blockchain"); compared with their marks (search/matching.py).
STOP_WORDS = (
    "và",
    "của",
    "các",
    "những",
    "cho",
    "với",
    "là",
    "được",
    "để",
    "theo",
    "về",
    "này",
    "đã",
    "bằng",
    "hoặc",
)

INITIATIVE_SETTINGS = IndexSettings(
    searchable=(
        "title",
        "keywords",
        "summary",
        "field_name",
        "subfield_name",
        "organisation",
        "province",
    ),
    filterable=(
        "field_code",
        "subfield_code",
        "province",
        "organisation_type",
        "trl",
        "ip_status",
        "stage",
        "publication_year",
        "published_at",
    ),
    sortable=("published_at", "trl"),
    numeric=INT_FIELDS,
    highlighted=("title", "summary"),
    similar_on=("title", "keywords", "summary"),
    synonyms=DEFAULT_SYNONYMS,
    stop_words=STOP_WORDS,
    typo=TypoSettings(enabled=True, min_word_size=3),
    schema=DocumentSchema(TEXT_FIELDS, LIST_FIELDS, INT_FIELDS),
)

PROBLEM_SCHEMA = DocumentSchema(
    text=(
        "id",
        "title",
        "summary",  # the public abstract
        "pain",
        "affected",
        "sector",
        "field_code",
        "field_name",
        "subfield_code",
        "subfield_name",
        "organisation",
        "owner_type",  # "national" or the organisation's type
        "status",  # open or awarded
        "scope",
        "funding_mode",
        "budget_band",  # under_1b, 1b_5b, over_5b
        "ip_terms",
    ),
    lists=("keywords", "provinces"),  # keywords: none yet (title, summary and keywords are what
    # suggestions and "similar" read in every kind)
    ints=("target_trl", "budget_min", "budget_max", "deadline", "opened_at", "version"),
)

PROBLEM_SETTINGS = IndexSettings(
    searchable=(
        "title",
        "keywords",
        "summary",
        "pain",
        "affected",
        "sector",
        "field_name",
        "subfield_name",
        "organisation",
        "provinces",
    ),
    filterable=(
        "status",
        "field_code",
        "subfield_code",
        "scope",
        "provinces",
        "funding_mode",
        "budget_band",
        "owner_type",
        "ip_terms",
        "target_trl",
        "budget_min",
        "budget_max",
        "deadline",
    ),
    sortable=("opened_at", "deadline", "target_trl"),
    numeric=PROBLEM_SCHEMA.ints,
    highlighted=("title", "summary"),
    similar_on=("title", "keywords", "summary"),
    synonyms=DEFAULT_SYNONYMS,
    stop_words=STOP_WORDS,
    typo=TypoSettings(enabled=True, min_word_size=3),
    schema=PROBLEM_SCHEMA,
)

SETTINGS_BY_KIND = {"initiatives": INITIATIVE_SETTINGS, "problems": PROBLEM_SETTINGS}


def check_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return a clean copy of an initiative document; raise ValueError on
    unknown or ill-typed fields (:meth:`DocumentSchema.check`)."""
    return INITIATIVE_SETTINGS.schema.check(doc)
