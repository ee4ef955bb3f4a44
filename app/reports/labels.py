"""Names of the figures in the reader's language (functions: translated when rendered)."""

from __future__ import annotations

from typing import Any

from app.accounts.labels import organisation_type_labels
from app.i18n import _, get_language
from app.initiatives.workflow import status_label


def total_labels() -> dict[str, str]:
    return {
        "received": _("Received"),
        "in_screening": _("In screening"),
        "in_review": status_label("in_review"),
        "selected": status_label("selected"),
        "published": status_label("published"),
        "commercialising": status_label("commercialising"),
        "rejected": status_label("rejected"),
    }


def group_label(row: dict[str, Any]) -> str:
    """The name of a breakdown row (field, province or organisation type)."""
    if "name_vi" in row:
        return str(row["name_en"] if get_language() == "en" else row["name_vi"])
    if row["key"] == "none":
        return _("No organisation")
    return organisation_type_labels().get(row["key"], row["key"])


def unit_label(row: dict[str, Any]) -> str:
    return (
        str(row["unit_en"] if get_language() == "en" else row["unit_vi"])
        if row.get("unit_vi")
        else "—"
    )
