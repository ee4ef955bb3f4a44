"""Demo data of the matching domain: the published demo initiatives and open problems get
their vectors now, so "similar initiatives", a problem's matching initiatives, "Gợi ý cho
bạn" (the demo investor's saved search, the demo enterprise's viewed initiative) and
search's "có thể bạn quan tâm" work from the start; submissions waiting for screening are
checked for near-duplicates (coordinators and their authors see what was found)."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.initiatives.models import Initiative
from app.initiatives.workflow import PUBLISHED_STATES, Status
from app.matching import history, recommend, service
from app.subscriptions import service as subscriptions
from app.subscriptions.schemas import SubscriptionForm

INVESTOR = "nhadautu@sangkien.local"
ENTERPRISE = "doanhnghiep@sangkien.local"  # viewed the first published initiative
SAVED_SEARCH = "năng lượng tái tạo cho nông thôn"  # no initiative has these words; one, the meaning


def load(session: Session) -> None:
    investor = session.exec(select(User).where(User.email == INVESTOR)).first()
    if investor is not None:  # "Gợi ý cho bạn" on the investor's home and weekly digest
        subscriptions.subscribe(
            session,
            investor,
            SubscriptionForm(
                kind="search",
                query=urlencode({"q": SAVED_SEARCH}),
                name="Năng lượng tái tạo",
                channel="weekly",
            ),
        )
    enterprise = session.exec(select(User).where(User.email == ENTERPRISE)).first()
    first = session.exec(
        select(Initiative)
        .where(col(Initiative.status).in_([str(s) for s in PUBLISHED_STATES]))
        .order_by(col(Initiative.id))
    ).first()
    if enterprise is not None and first is not None:  # on their profile and home
        history.record(session, enterprise, first)
    service.embed_missing(session)  # nothing with EMBEDDING_BACKEND=none
    waiting = session.exec(
        select(Initiative.id).where(
            col(Initiative.status).in_([Status.submitted, Status.screening])
        )
    ).all()
    for initiative_id in waiting:
        recommend.find_near_duplicates(session, initiative_id)
