"""Daily and weekly digests: what matched since the last one, grouped by subscription.

A digest run takes one moment `now` and, per subscription, sends every item
still pending with `matched_at <= now`, then moves the subscription's
`last_digest_at` to `now`. Items of one window are sent once (they become
"sent"), an item matched after `now` waits for the next run, so consecutive
windows neither overlap nor leave gaps. An initiative unpublished in the
meantime is dropped at send time, and a digest with nothing left is not sent.
A digest that is sent also carries "Gợi ý cho bạn" (`matching.recommend.for_user`), never
an initiative the digest already lists.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.i18n import TIMEZONE, use_language
from app.initiatives.models import Initiative
from app.mail.service import queue_mail
from app.matching import recommend
from app.problems.models import Problem
from app.subscriptions import problems as problem_subscriptions
from app.subscriptions import public
from app.subscriptions.models import Digest, DigestItem, Subscription, SubscriptionNotice
from app.subscriptions.public import PublicInitiative
from app.subscriptions.service import label, unsubscribe_headers, unsubscribe_url

FREQUENCIES = ("daily", "weekly")
SEND_AT = time(7, 0)  # local time (Asia/Ho_Chi_Minh); weekly digests go out on Mondays


def scheduled_moment(frequency: str, now: datetime) -> datetime:
    """The latest scheduled send time at or before `now` (UTC)."""
    local = now.astimezone(TIMEZONE)
    moment = datetime.combine(local.date(), SEND_AT, tzinfo=TIMEZONE)
    if moment > local:
        moment -= timedelta(days=1)
    if frequency == "weekly":
        moment -= timedelta(days=moment.weekday())
    return moment.astimezone(now.tzinfo)


def send_digests(
    session: Session, frequency: str, *, now: datetime | None = None, force: bool = False
) -> int:
    """Send the digests that are due (all of them when `force`); returns how many mails were queued."""
    now = now or utcnow()
    due_before = now if force else scheduled_moment(frequency, now)
    subs = session.exec(
        select(Subscription)
        .where(
            Subscription.channel == frequency,
            col(Subscription.is_paused).is_(False),
            col(Subscription.last_digest_at) < due_before,
        )
        .order_by(col(Subscription.id))
    ).all()
    by_user: dict[int, list[Subscription]] = defaultdict(list)
    for sub in subs:
        by_user[sub.user_id].append(sub)
    sent = 0
    for user_id, user_subs in by_user.items():
        user = session.get(User, user_id)
        if user is not None and _send_one(session, user, frequency, user_subs, now):
            sent += 1
    return sent


def _view(session: Session, item: DigestItem) -> PublicInitiative | None:
    """What the digest shows of the item, or None if it is no longer public."""
    if item.problem_id is not None:
        problem = session.get(Problem, item.problem_id)
        if problem_subscriptions.is_listed(problem):
            return problem_subscriptions.view(session, problem)
        return None
    initiative = session.get(Initiative, item.initiative_id) if item.initiative_id else None
    return public.view(session, initiative) if public.is_published(initiative) else None


def _also_matched(session: Session, user: User, item: DigestItem) -> list[str]:
    """The user's other subscriptions that matched the item (from the notice of the match), named
    in the user's language; the names stored with the item by older versions otherwise."""
    about = (
        SubscriptionNotice.problem_id == item.problem_id
        if item.problem_id is not None
        else SubscriptionNotice.initiative_id == item.initiative_id
    )
    notice = session.exec(
        select(SubscriptionNotice).where(SubscriptionNotice.user_id == user.id, about)
    ).first()
    if notice is None:
        return list(item.also_matched)
    others = [i for i in notice.subscription_ids if i != item.subscription_id]
    subs = (
        session.exec(
            select(Subscription)
            .where(col(Subscription.id).in_(others), Subscription.user_id == user.id)
            .order_by(col(Subscription.id))
        ).all()
        if others
        else []
    )
    return [label(session, s, user.language) for s in subs]


def _send_one(
    session: Session, user: User, frequency: str, subs: list[Subscription], now: datetime
) -> bool:
    # what the digest shows (field names, suggestions' reasons) is made in the recipient's language
    with use_language(user.language):
        return _compose_and_queue(session, user, frequency, subs, now)


def _compose_and_queue(
    session: Session, user: User, frequency: str, subs: list[Subscription], now: datetime
) -> bool:
    groups: list[dict[str, Any]] = []
    sent_items: list[DigestItem] = []
    since = min(s.last_digest_at for s in subs)
    for sub in subs:
        items = session.exec(
            select(DigestItem)
            .where(
                DigestItem.subscription_id == sub.id,
                DigestItem.status == "pending",
                col(DigestItem.matched_at) <= now,
            )
            .order_by(col(DigestItem.matched_at), col(DigestItem.id))
        ).all()
        shown = []
        for item in items:
            view = _view(session, item)
            if view is not None:
                shown.append({"item": view, "also": _also_matched(session, user, item)})
                sent_items.append(item)
            else:
                item.status = "dropped"  # no longer public: never shown, now or later
                session.add(item)
        sub.last_digest_at = now
        session.add(sub)
        if shown:
            groups.append(
                {
                    "subscription": sub,
                    "name": label(session, sub, user.language),
                    "items": shown,
                    "unsubscribe_url": unsubscribe_url(user.id, [sub.id]),
                }
            )
    if not groups or not user.is_active:
        for item in sent_items:
            item.status = "dropped"
            session.add(item)
        return False
    digest = Digest(
        user_id=user.id, frequency=frequency, window_end=now, item_count=len(sent_items)
    )
    session.add(digest)
    session.flush()
    for item in sent_items:
        item.status, item.digest_id = "sent", digest.id
        session.add(item)
    ids = [g["subscription"].id for g in groups]
    sent_ids = [item.initiative_id for item in sent_items if item.initiative_id is not None]
    queue_mail(
        session,
        to=user.email,
        template="subscriptions/mail/digest",
        language=user.language,
        context={
            "name": user.full_name,
            "frequency": frequency,
            "groups": groups,
            "since": since,
            "until": now,
            "count": len(sent_items),
            "kinds": sorted({e["item"].kind for g in groups for e in g["items"]}),
            "unsubscribe_url": unsubscribe_url(user.id, ids),
            "suggestions": recommend.for_user(session, user, limit=3, exclude=sent_ids),
        },
        headers=unsubscribe_headers(user.id, ids),
    )
    return True
