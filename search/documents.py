"""The initiative index, kept as code.

Documents are plain dicts with exactly the fields below.  Only public data is
ever handed to the engine (the application guarantees it), which is why no
other text field exists here: adding one is a deliberate schema change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.interface import IndexSettings, TypoSettings, normalise_synonyms
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
)


def check_document(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return a clean copy of ``doc``; raise ValueError on unknown or ill-typed fields.

    Catching a stray field here keeps private data out of the index even if a
    caller builds the dict carelessly.
    """
    unknown = set(doc) - set(TEXT_FIELDS) - set(LIST_FIELDS) - set(INT_FIELDS)
    if unknown:
        raise ValueError(f"unknown document fields: {sorted(unknown)}")
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        raise ValueError("document needs a non-empty string id")
    clean: dict[str, Any] = {}
    for name, value in doc.items():
        if value is None:
            continue
        if name in INT_FIELDS and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"{name} must be an int, got {value!r}")
        if name in LIST_FIELDS and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise ValueError(f"{name} must be a list of strings")
        if name in TEXT_FIELDS and not isinstance(value, str):
            raise ValueError(f"{name} must be a string, got {value!r}")
        clean[name] = value
    return clean
