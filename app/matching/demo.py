"""Demo data of the matching domain: the published demo initiatives and open problems get
their vectors now, so "similar initiatives", a problem's matching initiatives, "Gợi ý cho
bạn" (the demo investor's contact requests) and search's "có thể bạn quan tâm" work from
the start; submissions waiting for screening are checked for near-duplicates."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.initiatives.models import Initiative
from app.initiatives.workflow import Status
from app.matching import recommend, service


def load(session: Session) -> None:
    service.embed_missing(session)  # nothing with EMBEDDING_BACKEND=none
    waiting = session.exec(
        select(Initiative.id).where(
            col(Initiative.status).in_([Status.submitted, Status.screening])
        )
    ).all()
    for initiative_id in waiting:
        recommend.find_near_duplicates(session, initiative_id)
