"""Subscriptions to problem statements: who hears about a newly opened problem, and its feeds.

The same subscriptions, notices, digests, one-click unsubscribe and Atom feeds as for
initiatives, with `Subscription.subject == "problems"`. A category subscription compares the
problem's field or sub-field and its provinces (a national problem names no province, so it
reaches province subscribers only through a field or a saved search). A saved search is a query
string of the /problems listing and is evaluated by the listing's own finder
(`app.problems.finder.matches`), so it means exactly what the listing shows. (Problems are not a
document kind of the search engines yet; when they are, this is the one place to switch.)

Each user is told once per problem (`SubscriptionNotice.problem_id`), never about their own
organisation's problem.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypeGuard

from sqlmodel import Session, col, select

from app.accounts.models import Organisation, User
from app.catalogue import problem_index
from app.config import get_settings
from app.errors import NotFound
from app.i18n import _, get_language, use_language
from app.initiatives.models import Field
from app.problems import finder
from app.problems import permissions as problem_perms
from app.problems import visibility as problem_visibility
from app.problems.models import Problem
from app.subscriptions import matching as subscription_matching
from app.subscriptions.models import Subscription
from app.subscriptions.public import PublicInitiative, _short

SUBJECT = "problems"
CHANNEL_ORDER = ("instant", "daily", "weekly", "in_app")


def link(problem_id: int) -> str:
    return f"/problems/{problem_id}"


def is_listed(problem: Problem | None) -> TypeGuard[Problem]:
    """Shown in mails and feeds: open or awarded, like the listing."""
    return problem is not None and problem.status in finder.workflow.SEARCHABLE_STATES


def view(session: Session, problem: Problem) -> PublicInitiative:
    """The public facts of a problem for mails and feeds (never its confidential details)."""
    field = (
        session.get(Field, problem.subfield_id or problem.field_id) if problem.field_id else None
    )
    organisation = (
        session.get(Organisation, problem.organisation_id) if problem.organisation_id else None
    )
    author = (
        _("National problem") if problem.national or organisation is None else organisation.name
    )
    return PublicInitiative(
        id=problem.id,
        title=problem.title,
        summary=_short(problem.abstract),
        url=f"{get_settings().base_url}{link(problem.id)}",
        field=field.name(get_language()) if field else None,
        province=", ".join(problem.provinces) or None,
        author=author,
        published_at=problem.opened_at or problem.updated_at,
        kind="problem",
    )


def _field_codes(session: Session, problem: Problem) -> set[str]:
    ids = [i for i in (problem.field_id, problem.subfield_id) if i]
    return set(session.exec(select(Field.code).where(col(Field.id).in_(ids)))) if ids else set()


def matching_subscriptions(session: Session, problem: Problem) -> list[Subscription]:
    codes = _field_codes(session, problem)
    found = []
    for sub in session.exec(
        select(Subscription)
        .where(Subscription.subject == SUBJECT, col(Subscription.is_paused).is_(False))
        .order_by(col(Subscription.id))
    ):
        if sub.kind == "category":
            ok = (sub.field_code is None or sub.field_code in codes) and (
                sub.province is None or sub.province in problem.provinces
            )
        else:
            ok = finder.matches(session, problem, sub.query or "")
        if ok:
            found.append(sub)
    return found


def on_opened(session: Session, problem_id: int) -> int:
    """Tell every subscriber whose problem subscriptions match; returns how many users were told."""
    problem = session.get(Problem, problem_id)
    if problem is None or not problem_visibility.is_public(problem):
        return 0
    by_user: dict[int, list[Subscription]] = defaultdict(list)
    for sub in matching_subscriptions(session, problem):
        by_user[sub.user_id].append(sub)
    told = 0
    for user_id, subs in by_user.items():
        user = session.get(User, user_id)
        if (
            user is not None
            and user.is_active
            and not problem_perms.is_owner(user, problem)
            and tell(session, user, problem, subs)
        ):
            told += 1
    return told


def tell(session: Session, user: User, problem: Problem, subs: list[Subscription]) -> bool:
    """False when told already (a re-opening, or a redelivered event)."""
    with use_language(user.language):  # the mail shows the field in the reader's language
        item = view(session, problem)
    return subscription_matching.deliver(
        session,
        user,
        subs,
        about={"problem_id": problem.id},
        dedupe_key=f"problem-match:{problem.id}",
        link=link(problem.id),
        item=item,
    )


# -- feeds ------------------------------------------------------------------------
def latest(session: Session, *, limit: int) -> list[Problem]:
    """The most recently opened problems that are listed now."""
    return list(
        session.exec(
            select(Problem)
            .where(col(Problem.status).in_([str(s) for s in finder.workflow.SEARCHABLE_STATES]))
            .order_by(col(Problem.opened_at).desc(), col(Problem.id).desc())
            .limit(limit)
        )
    )


def saved_search(session: Session, sub: Subscription, *, limit: int) -> list[Problem]:
    """The newest results of a saved problem search, as the listing finds them (the engine)."""
    if sub.subject != SUBJECT:
        raise NotFound(_("There is nothing at this address."))
    query, filters = finder.parse_query_string(sub.query or "")
    found = problem_index.find(session, query, filters).problems
    newest = sorted(found, key=lambda p: (p.opened_at or p.updated_at, p.id), reverse=True)
    return newest[:limit]


def listing_url(query: str | None) -> str:
    return f"/problems?{query}" if query else "/problems"
