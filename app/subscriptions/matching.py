"""Who hears about a newly published initiative, and how.

Category subscriptions compare the initiative's field, sub-field and
province. Saved searches are asked of the search engine itself: the saved
query runs with one extra condition, a `published_at` range equal to this
initiative's own timestamp, and matches when the initiative is among the
hits. So accents, synonyms, stop words and typo tolerance work exactly as on
the results page.

Each user is told once per initiative (`SubscriptionNotice`), however many of
their subscriptions match: one inbox entry listing them, plus either a mail
now (some subscription is instant) or an item for the next digest.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

import search
from app.accounts.models import User
from app.catalogue import indexing
from app.catalogue import service as catalogue
from app.catalogue.service import public_url
from app.i18n import use_language
from app.initiatives.models import Initiative
from app.notifications.service import notify
from app.subscriptions import public
from app.subscriptions.models import DigestItem, Subscription, SubscriptionNotice
from app.subscriptions.service import (
    label,
    labels,
    search_params,
    unsubscribe_headers,
    unsubscribe_url,
)
from app.webhooks import service as webhooks

# The channel that reaches the user soonest decides how they are told.
CHANNEL_ORDER = ("instant", "daily", "weekly", "in_app")


class NotIndexedYet(Exception):
    """The initiative is published but not searchable yet; the outbox retries after indexing."""


def engine_query(query_string: str) -> search.Query:
    """The engine query of a saved catalogue search: the results page's own
    query, matched strictly (every word), as a new initiative is tested alone."""
    return dataclasses.replace(
        catalogue.engine_query(search_params(query_string)), highlight=False, relax=False
    )


class SavedSearches:
    """Evaluates saved searches against one initiative through the engine."""

    def __init__(self, session: Session, initiative: Initiative) -> None:
        document = indexing.document_for(session, initiative)
        assert document is not None, "only published initiatives are matched"
        self.id, self.moment = str(initiative.id), int(document["published_at"])
        self.engine = indexing.engine()
        if not self._contains(search.Query(highlight=False)):
            raise NotIndexedYet(f"initiative {self.id} is not in the search index yet")

    def _contains(self, query: search.Query) -> bool:
        lo, hi = query.ranges.get("published_at", (None, None))
        if (lo is not None and lo > self.moment) or (hi is not None and hi < self.moment):
            return False
        narrowed = dataclasses.replace(
            query,
            ranges={**query.ranges, "published_at": (self.moment, self.moment)},
            facets=(),
            sort=None,
            offset=0,
            limit=100,
            highlight=False,
        )
        result = self.engine.search(narrowed)
        if result.total > len(result.hits):  # many published in the same second: read them all
            result = self.engine.search(dataclasses.replace(narrowed, limit=result.total))
        return any(hit.id == self.id for hit in result.hits)

    def matches(self, query_string: str) -> bool:
        return self._contains(engine_query(query_string))


def matching_subscriptions(session: Session, initiative: Initiative) -> list[Subscription]:
    active = list(
        session.exec(
            select(Subscription)
            .where(Subscription.subject == "initiatives", col(Subscription.is_paused).is_(False))
            .order_by(col(Subscription.id))
        )
    )
    codes = public.field_codes(session, initiative)
    saved = SavedSearches(session, initiative) if any(s.kind == "search" for s in active) else None
    found = []
    for sub in active:
        if sub.kind == "category":
            ok = (sub.field_code is None or sub.field_code in codes) and (
                sub.province is None or sub.province == initiative.province
            )
        else:
            ok = saved is not None and saved.matches(sub.query or "")
        if ok:
            found.append(sub)
    return found


def on_published(session: Session, initiative_id: int) -> int:
    """Tell every subscriber whose subscriptions match; returns how many users were told."""
    initiative = session.get(Initiative, initiative_id)
    if not public.is_published(initiative):
        return 0
    by_user: dict[int, list[Subscription]] = defaultdict(list)
    for sub in matching_subscriptions(session, initiative):
        by_user[sub.user_id].append(sub)
    told = 0
    for user_id, subs in by_user.items():
        user = session.get(User, user_id)
        if user is not None and user.is_active and tell(session, user, initiative, subs):
            told += 1
    return told


def deliver(
    session: Session,
    user: User,
    subs: list[Subscription],
    *,
    about: dict[str, Any],
    dedupe_key: str,
    link: str,
    item: Any,
) -> bool:
    """Tell `user` once that an item (`about`: `initiative_id=` or `problem_id=`) matched
    `subs`: a notice row, the instant mail or in-app entry by the user's most immediate channel,
    and a digest item for daily/weekly. False when the user was told of that item already."""
    if session.exec(select(SubscriptionNotice).filter_by(user_id=user.id, **about)).first():
        return False
    channel = min((s.channel for s in subs), key=CHANNEL_ORDER.index)
    primary = [s for s in subs if s.channel == channel]
    session.add(
        SubscriptionNotice(
            user_id=user.id, subscription_ids=[s.id for s in subs], channel=channel, **about
        )
    )
    # the inbox entry is rendered in every language: each subscription's name in each of them
    groups = [
        {
            "subscription": s,
            "names": labels(session, s),
            "unsubscribe_url": unsubscribe_url(user.id, [s.id]),
        }
        for s in subs
    ]
    notify(
        session,
        user,
        "subscription_match",
        dedupe_key=dedupe_key,
        template="subscriptions/mail/instant",
        link=link,
        channel="both" if channel == "instant" else "in_app",
        context={
            "item": item,
            "groups": groups,
            "unsubscribe_url": unsubscribe_url(user.id, [s.id for s in primary]),
        },
        headers=unsubscribe_headers(user.id, [s.id for s in primary]),
    )
    if channel in ("daily", "weekly"):
        # the digest names the other matching subscriptions from the notice, when it is sent
        session.add(DigestItem(subscription_id=primary[0].id, **about))
    return True


def tell(session: Session, user: User, initiative: Initiative, subs: list[Subscription]) -> bool:
    with use_language(user.language):  # the mail shows the item's field in the reader's language
        item = public.view(session, initiative)
    if not deliver(
        session,
        user,
        subs,
        about={"initiative_id": initiative.id},
        dedupe_key=f"match:{initiative.id}",
        link=public_url(initiative.id),
        item=item,
    ):
        return False  # told already (a republication, or a redelivered event)
    if user.organisation_id is not None:
        webhooks.dispatch(
            session,
            "subscription.matched",
            {
                "initiative_id": initiative.id,
                "url": public.view(session, initiative).url,
                "user_id": user.id,
                "subscriptions": [
                    {"id": s.id, "name": label(session, s, user.language)} for s in subs
                ],
            },
            organisation_id=user.organisation_id,
        )
    return True
