"""The submission web form <-> DraftIn, keeping exactly what the user typed for re-rendering.

The form posts every section, so a blank box clears its section (the API's
PATCH, by contrast, changes only the fields sent). Co-authors are rows named
`coauthors-<n>-<field>`; errors use the same names, so they appear next to
the right box.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from app.initiatives.models import Initiative
from app.initiatives.schemas import DraftIn
from app.web.forms import error_message

TEXT = (
    "title",
    "summary",
    "problem",
    "solution",
    "novelty",
    "feasibility",
    "impact",
    "resources_note",
    "ip_number",
    "province",
    "ip_status",
)
NUMBERS = ("field_id", "subfield_id", "trl", "submitter_share")
COAUTHOR_FIELDS = ("full_name", "email", "organisation_name", "share_percent")
COAUTHOR_ROWS = 5  # empty rows shown at least
COAUTHOR_MAX = 20
_SPLIT = re.compile(r"[,;\n]")


def _error_key(loc: tuple) -> str:
    return "-".join(str(p) for p in loc) or "__all__"


def draft_from_form(form: Any) -> tuple[DraftIn | None, dict[str, str], dict[str, Any]]:
    """(the draft or None, errors by form field name, the typed values to re-render)."""
    values: dict[str, Any] = {
        name: str(form.get(name, "")) for name in TEXT + NUMBERS + ("keywords",)
    }
    values["resources_wanted"] = [str(v) for v in form.getlist("resources_wanted")]
    data: dict[str, Any] = {name: values[name] for name in TEXT}
    data["ip_status"] = values["ip_status"] or None
    for name in NUMBERS:
        data[name] = values[name].strip() or None
    data["keywords"] = [w for w in (p.strip() for p in _SPLIT.split(values["keywords"])) if w]
    data["resources_wanted"] = values["resources_wanted"]
    rows = []
    for n in range(COAUTHOR_MAX):
        row = {f: str(form.get(f"coauthors-{n}-{f}", "")).strip() for f in COAUTHOR_FIELDS}
        values.update({f"coauthors-{n}-{f}": v for f, v in row.items()})
        if any(row.values()):
            rows.append((n, row))
    data["coauthors"] = [
        {
            **row,
            "email": row["email"] or None,
            "organisation_name": row["organisation_name"] or None,
            "share_percent": row["share_percent"] or None,
        }
        for _n, row in rows
    ]
    try:
        return DraftIn.model_validate(data), {}, values
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = list(error["loc"])
            if loc[:1] == ["coauthors"] and len(loc) >= 3:
                loc[1] = rows[int(loc[1])][
                    0
                ]  # the row's number on the page, not among the filled rows
            errors.setdefault(_error_key(tuple(loc)), error_message(error))
        return None, errors, values


def values_of(initiative: Initiative | None) -> dict[str, Any]:
    """The form's values for a saved initiative."""
    if initiative is None:
        return {"ip_status": "none", "submitter_share": "100", "resources_wanted": []}
    values: dict[str, Any] = {name: getattr(initiative, name) or "" for name in TEXT}
    values.update(
        {
            name: "" if getattr(initiative, name) is None else str(getattr(initiative, name))
            for name in ("field_id", "subfield_id", "trl")
        }
    )
    values["keywords"] = ", ".join(initiative.keywords)
    values["resources_wanted"] = list(initiative.resources_wanted)
    own = next((c for c in initiative.coauthors if c.is_submitter), None)
    values["submitter_share"] = f"{own.share_percent:g}" if own else "100"
    others = [c for c in initiative.coauthors if not c.is_submitter]
    for n, c in enumerate(others[:COAUTHOR_MAX]):
        values.update(
            {
                f"coauthors-{n}-full_name": c.full_name,
                f"coauthors-{n}-email": c.email or "",
                f"coauthors-{n}-organisation_name": c.organisation_name or "",
                f"coauthors-{n}-share_percent": f"{c.share_percent:g}",
            }
        )
    return values


def coauthor_rows(values: dict[str, Any]) -> int:
    """How many co-author rows to show: every filled one plus at least one empty, never fewer than five."""
    filled = [
        n
        for n in range(COAUTHOR_MAX)
        if any(values.get(f"coauthors-{n}-{f}") for f in COAUTHOR_FIELDS)
    ]
    return min(COAUTHOR_MAX, max(COAUTHOR_ROWS, (max(filled) + 2) if filled else 0))
