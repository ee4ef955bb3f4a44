"""Receipt codes `SK-<year>-<6 digits>` and the public receipt lookup.

The number comes from a per-year counter row. On PostgreSQL it is taken by
one autocommitted `INSERT … ON CONFLICT DO UPDATE … RETURNING` on a
connection beside the request's (`app.db.autocommit_engine`): the row is
locked for that one statement, not until the submission commits, so
concurrent submissions never queue behind each other (measured: with the
bump inside the request's transaction, 30 concurrent submitters waited
seconds for the row). Numbers are unique and counted up per year; a
submission that fails after taking its number (only a database failure at
commit can: every check runs before) leaves a gap. SQLite writes one
transaction at a time anyway: there the row is bumped in the submission's
own transaction. The unique constraint on `receipt_code` is the backstop.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.db import autocommit_engine
from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.initiatives.models import Initiative, InitiativeVersion, ReceiptCounter
from app.reports import service as reports_service

CODE_RE = re.compile(r"^SK-(\d{4})-(\d{6})$")
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")


def _increment(session: Session, year: int) -> int | None:
    result = session.execute(
        update(ReceiptCounter)
        .where(col(ReceiptCounter.year) == year)
        .values(last=ReceiptCounter.last + 1)
        .returning(col(ReceiptCounter.last))
    )
    return result.scalar_one_or_none()


def _take_number_now(session: Session, year: int) -> int:
    """PostgreSQL: bump (or start) the year's counter in a statement committed on its own."""
    counter = ReceiptCounter.__table__  # type: ignore[attr-defined]
    statement = (
        postgresql_insert(counter)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": counter.c.last + 1})
        .returning(counter.c.last)
    )
    with autocommit_engine(session.get_bind()).connect() as conn:
        return conn.execute(statement).scalar_one()


def next_code(session: Session, year: int) -> str:
    if session.get_bind().dialect.name == "postgresql":
        return f"SK-{year}-{_take_number_now(session, year):06d}"
    number = _increment(session, year)
    if number is None:  # the year's first receipt
        session.execute(
            sqlite_insert(ReceiptCounter).values(year=year, last=0).on_conflict_do_nothing()
        )
        number = _increment(session, year)
    return f"SK-{year}-{number:06d}"


def normalise_code(code: str) -> str:
    return code.strip().upper()


def _forwarded_from(session: Session, initiative: Initiative) -> dict[str, Any] | None:
    from app.partners import forwarding  # partners builds on initiatives, not the reverse

    return forwarding.provenance(session, initiative.id)


def lookup(session: Session, code: str, fingerprint: str | None = None) -> dict:
    """The stage and dates of the initiative with this receipt code, and whether `fingerprint` matches.

    The fingerprint matches if it equals the fingerprint of any submitted version
    (a resubmission does not void the proof of the earlier one).
    """
    code = normalise_code(code)
    errors = {}
    if not CODE_RE.match(code):
        errors["code"] = _("A receipt code looks like SK-2026-000123.")
    fingerprint = (fingerprint or "").strip().lower() or None
    if fingerprint and not FINGERPRINT_RE.match(fingerprint):
        errors["fingerprint"] = _("A fingerprint is 64 hexadecimal characters.")
    if errors:
        raise ValidationFailed(_("Please check the receipt code and fingerprint."), errors=errors)
    initiative = session.exec(select(Initiative).where(Initiative.receipt_code == code)).first()
    if initiative is None:
        raise NotFound(_("No initiative has this receipt code."))
    result: dict[str, Any] = {
        "receipt_code": code,
        "status": initiative.status,
        "submitted_at": initiative.submitted_at,
        "stage_entered_at": initiative.stage_entered_at,
        "fingerprint_matches": None,
        "matched_version": None,
        # The stage clock against the stage's public target (None when the stage has none).
        "clock": reports_service.stage_clock(session, initiative),
        "forwarded_from": _forwarded_from(session, initiative),
    }
    if fingerprint:
        version = session.exec(
            select(InitiativeVersion).where(
                InitiativeVersion.initiative_id == initiative.id,
                InitiativeVersion.fingerprint == fingerprint,
            )
        ).first()
        result["fingerprint_matches"] = version is not None
        result["matched_version"] = version.number if version else None
    return result
