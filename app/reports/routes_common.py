"""What the statistics page and the dashboard share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.initiatives.workflow import status_label
from app.reports import labels


def statistics_context(stats: dict[str, Any]) -> dict[str, Any]:
    """Chart rows and labels for a statistics dict (the page and the dashboard share it)."""
    totals = labels.total_labels()
    reached = stats["reached"]
    return {
        "stats": stats,
        "as_of": datetime.fromisoformat(stats["as_of"]),
        "total_labels": totals,
        "funnel": [
            (totals["received"], stats["totals"]["received"]),
            (status_label("screening"), reached["screening"]),
            (status_label("in_review"), reached["in_review"]),
            (totals["selected"], reached["selected"]),
            (totals["published"], reached["published"]),
            (totals["commercialising"], reached["commercialising"]),
        ],
        "by_field": [(labels.group_label(r), r["received"]) for r in stats["by_field"]],
        "by_province": [(labels.group_label(r), r["received"]) for r in stats["by_province"]],
        "by_org_type": [
            (labels.group_label(r), r["received"]) for r in stats["by_organisation_type"]
        ],
        "by_month": [(r["month"], r["received"]) for r in stats["by_month"]],
        "published_by_month": [(r["month"], r["published"]) for r in stats["by_month"]],
        "stage_label": status_label,
        "unit_label": labels.unit_label,
    }
