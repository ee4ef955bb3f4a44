"""The canonical content of an initiative, its fingerprint, version diffs and title similarity.

The fingerprint is what proves priority: SHA-256 of the canonical JSON (sorted
keys, NFC-normalised text with unified line ends, attachment SHA-256s sorted),
so the same content always gives the same fingerprint whatever the database,
the browser's Unicode form or the order files were attached in.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from typing import Any

from app.initiatives.models import Initiative
from search.text import fold

# The sections that make up the submitted content, in display order.
CONTENT_FIELDS = (
    "title",
    "summary",
    "problem",
    "solution",
    "novelty",
    "feasibility",
    "impact",
    "field_id",
    "subfield_id",
    "keywords",
    "trl",
    "province",
    "ip_status",
    "ip_number",
    "resources_wanted",
    "resources_note",
    "organisation_id",
)


def normalise_text(value: str | None) -> str:
    text = unicodedata.normalize("NFC", value or "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def canonical_content(initiative: Initiative) -> dict[str, Any]:
    """The content that is fingerprinted and snapshotted at each submission."""
    content = {name: _normalise(getattr(initiative, name)) for name in CONTENT_FIELDS}
    content["authors"] = [
        {
            "full_name": normalise_text(c.full_name),
            "email": (c.email or "").lower(),
            "organisation_name": normalise_text(c.organisation_name),
            "share_percent": round(float(c.share_percent), 2),
        }
        for c in sorted(initiative.coauthors, key=lambda c: c.position)
    ]
    content["attachments"] = sorted(a.sha256 for a in initiative.attachments)
    return content


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint_of(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def fingerprint(initiative: Initiative) -> str:
    return fingerprint_of(canonical_content(initiative))


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field differences of two snapshots: [{"field", "old", "new"}] for changed fields only."""
    names = list(CONTENT_FIELDS) + ["authors", "attachments"]
    names += sorted((set(old) | set(new)) - set(names))
    return [
        {"field": n, "old": old.get(n), "new": new.get(n)}
        for n in names
        if old.get(n) != new.get(n)
    ]


_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1024)
def tokens(text: str) -> frozenset[str]:
    """Lower-cased words without diacritics, so "Sạt lở" and "sat lo" compare equal.

    A submission compares its words with its 20 candidates' titles and summaries, and
    the candidates of submissions on one subject are mostly the same published
    initiatives: their word sets are kept (the last 1,024 texts, a few MiB at most)."""
    return frozenset(fold(word) for word in _WORD.findall(normalise_text(text)))


def similarity(a_title: str, a_summary: str, b_title: str, b_summary: str) -> float:
    """Jaccard similarity of the word sets of title + summary (0 … 1)."""
    return overlap(tokens(f"{a_title} {a_summary}"), tokens(f"{b_title} {b_summary}"))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets from `tokens` (0 … 1): one text compared with
    many is tokenised once."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
