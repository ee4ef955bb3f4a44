"""Demo data of the matching domain: the published demo initiatives get their vectors now,
so "similar initiatives" on their public pages is hybrid (with reasons) from the start."""

from __future__ import annotations

from sqlmodel import Session

from app.matching import service


def load(session: Session) -> None:
    service.embed_missing(session)  # nothing with EMBEDDING_BACKEND=none
