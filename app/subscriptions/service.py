"""Subscription verbs: create, edit, pause, remove; unsubscribe and feed tokens.

A saved search is stored as the catalogue's own query string, so opening it,
matching it and its feed all go through the catalogue's parameters and the
search engine: the subscriber sees exactly what the search shows.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, delete, select
from starlette.datastructures import QueryParams

from app.accounts.models import User
from app.catalogue import service as catalogue_service
from app.catalogue.schemas import SearchParams
from app.config import get_settings
from app.db import utcnow
from app.errors import NotFound, PermissionDenied, ValidationFailed
from app.i18n import LANGUAGES, _, get_language, use_language
from app.initiatives.models import Field
from app.problems import finder as problem_finder
from app.problems import labels as problem_labels
from app.subscriptions.models import DigestItem, Subscription
from app.subscriptions.schemas import SubscriptionEdit, SubscriptionForm
from app.system.provinces import PROVINCES

DIGESTS = ("daily", "weekly")


# -- saved searches ---------------------------------------------------------------
def search_params(query: str) -> SearchParams:
    return SearchParams.from_query(QueryParams(query))


def normalise_query(query: str) -> str:
    """The catalogue's canonical form of a query string (no page, no sort: a subscription has neither)."""
    params = search_params(query.lstrip("?"))
    return urlencode(params.query_items(sort="relevance", page=1))


def field_by_code(session: Session, code: str) -> Field | None:
    return session.exec(select(Field).where(Field.code == code)).first()


def normalise_problem_query(query: str) -> str:
    """The /problems listing's canonical form of a query string (its words and facet filters)."""
    return problem_finder.query_string(*problem_finder.parse_query_string(query))


def label(session: Session, sub: Subscription, language: str | None = None) -> str:
    """What a subscription is called, wherever it is shown (its page, the inbox, mails, feeds):
    the name its owner typed, exactly, or else its automatic name, made now from what it follows
    in `language` (default: the current one), so every reader sees their own language."""
    if sub.name:
        return sub.name
    with use_language(language or get_language()):
        return automatic_name(session, sub)


def automatic_name(session: Session, sub: Subscription) -> str:
    """The name made from what `sub` follows, in the current language (never stored)."""
    return describe(session, sub)[:200]


def labels(session: Session, sub: Subscription) -> dict[str, str]:
    """`label` in every language, for texts rendered once per language (the inbox entry)."""
    return {language: label(session, sub, language) for language in LANGUAGES}


def describe(session: Session, sub: Subscription) -> str:
    """The automatic name in the current language (shown through `label`, never stored)."""
    if sub.subject == "problems":
        return _("Problems: %(what)s", what=_describe_problems(session, sub))
    if sub.kind == "search":
        params = search_params(sub.query or "")
        parts = [f"“{params.q}”"] if params.q else []
        label = catalogue_service.facet_labeller(session)
        for name, values in params.filters.items():
            parts.extend(label(name, v) for v in values)
        return " · ".join(parts) or _("All published initiatives")
    parts = []
    if sub.field_code:
        field = field_by_code(session, sub.field_code)
        parts.append(field.name(get_language()) if field else sub.field_code)
    if sub.province:
        parts.append(sub.province)
    return " · ".join(parts)


def _describe_problems(session: Session, sub: Subscription) -> str:
    if sub.kind == "search":
        query, filters = problem_finder.parse_query_string(sub.query or "")
        parts = [f"“{query}”"] if query else []
        label = problem_labels.facet_labeller(session)
        parts.extend(label(k, v) for k, v in filters.items() if v)
        return " · ".join(parts) or _("all new problems")
    parts = []
    if sub.field_code:
        field = field_by_code(session, sub.field_code)
        parts.append(field.name(get_language()) if field else sub.field_code)
    if sub.province:
        parts.append(sub.province)
    return " · ".join(parts)


# -- verbs ------------------------------------------------------------------------
def list_for(session: Session, user: User) -> list[Subscription]:
    return list(
        session.exec(
            select(Subscription)
            .where(Subscription.user_id == user.id)
            .order_by(col(Subscription.id))
        )
    )


def get_own(session: Session, user: User, subscription_id: int) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound(_("No such subscription."))
    if sub.user_id != user.id:
        raise PermissionDenied(_("This subscription belongs to someone else."))
    return sub


def subscribe(session: Session, user: User, data: SubscriptionForm) -> Subscription:
    errors: dict[str, str] = {}
    field_code = province = query = None
    if data.kind == "category":
        if data.field_code:
            if field_by_code(session, data.field_code) is None:
                errors["field_code"] = _("Choose one of the options.")
            field_code = data.field_code
        if data.province:
            if data.province not in PROVINCES:
                errors["province"] = _("Choose one of the options.")
            province = data.province
    elif data.subject == "problems":
        query = normalise_problem_query(data.query or "")
    else:
        query = normalise_query(data.query or "")
    if errors:
        raise ValidationFailed(_("Some fields are missing or invalid."), errors=errors)
    now = utcnow()
    sub = Subscription(
        user_id=user.id,
        subject=data.subject,
        kind=data.kind,
        field_code=field_code,
        province=province,
        query=query,
        name=(data.name or "").strip(),  # empty: the automatic name, see `label`
        channel=data.channel,
        feed_token=secrets.token_urlsafe(32),
        last_digest_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(sub)
    session.flush()
    return sub


def _drop_pending(session: Session, sub: Subscription) -> None:
    for item in session.exec(
        select(DigestItem).where(
            DigestItem.subscription_id == sub.id, DigestItem.status == "pending"
        )
    ):
        item.status = "dropped"
        session.add(item)


def update(session: Session, sub: Subscription, data: SubscriptionEdit) -> Subscription:
    """Rename (an empty name: the automatic one again) or change the channel. Leaving a digest
    drops its waiting items; joining one starts its window now."""
    if data.channel != sub.channel:
        if sub.channel in DIGESTS and data.channel not in DIGESTS:
            _drop_pending(session, sub)
        if data.channel in DIGESTS and sub.channel not in DIGESTS:
            sub.last_digest_at = utcnow()
    sub.name, sub.channel, sub.updated_at = data.name.strip(), data.channel, utcnow()
    session.add(sub)
    return sub


def set_paused(session: Session, sub: Subscription, paused: bool) -> Subscription:
    sub.is_paused, sub.updated_at = paused, utcnow()
    session.add(sub)
    return sub


def remove(session: Session, sub: Subscription) -> None:
    session.exec(delete(DigestItem).where(col(DigestItem.subscription_id) == sub.id))
    session.delete(sub)


def reset_feed_token(session: Session, sub: Subscription) -> str:
    """A new private feed address; the old one stops working at once."""
    sub.feed_token = secrets.token_urlsafe(32)
    session.add(sub)
    return sub.feed_token


def by_feed_token(session: Session, token: str) -> Subscription:
    sub = (
        session.exec(select(Subscription).where(Subscription.feed_token == token)).first()
        if token
        else None
    )
    if sub is None or sub.kind != "search":
        raise NotFound(_("There is nothing at this address."))
    return sub


# -- one-click unsubscribe -----------------------------------------------------------
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="subscriptions.unsubscribe")


def unsubscribe_token(user_id: int, subscription_ids: list[int]) -> str:
    """A signed token naming the subscriptions one mail was about (no expiry: old mails keep working)."""
    return _serializer().dumps({"u": user_id, "s": sorted(subscription_ids)})


def unsubscribe_url(user_id: int, subscription_ids: list[int]) -> str:
    return f"{get_settings().base_url}/subscriptions/unsubscribe/{unsubscribe_token(user_id, subscription_ids)}"


def unsubscribe_headers(user_id: int, subscription_ids: list[int]) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: mail programs offer their own unsubscribe button and POST to us."""
    token = unsubscribe_token(user_id, subscription_ids)
    url = f"{get_settings().base_url}/api/v1/subscriptions/unsubscribe/{token}"
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read_token(token: str) -> tuple[int, list[int]]:
    try:
        data = _serializer().loads(token)
        return int(data["u"]), [int(i) for i in data["s"]]
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise NotFound(_("This unsubscribe link is not valid.")) from exc


def subscriptions_of_token(session: Session, token: str) -> list[Subscription]:
    user_id, ids = read_token(token)
    if not ids:
        return []
    return list(
        session.exec(
            select(Subscription).where(
                col(Subscription.id).in_(ids), Subscription.user_id == user_id
            )
        )
    )


def unsubscribe(session: Session, token: str) -> int:
    """Remove the subscriptions named by a valid token (no sign-in); repeating it is harmless."""
    subs = subscriptions_of_token(session, token)
    for sub in subs:
        remove(session, sub)
    return len(subs)


def field_choices(session: Session) -> list[tuple[str, str]]:
    """Fields with their sub-fields indented under them, in the taxonomy's order."""
    fields = session.exec(
        select(Field)
        .where(col(Field.is_active).is_(True))
        .order_by(col(Field.position), col(Field.id))
    ).all()
    language = get_language()
    choices = []
    for top in (f for f in fields if f.parent_id is None):
        choices.append((top.code, top.name(language)))
        choices.extend((f.code, f"— {f.name(language)}") for f in fields if f.parent_id == top.id)
    return choices


def search_label(session: Session, subject: str, query: str) -> str:
    """The automatic name a saved search of `query` gets (shown by the form that saves it)."""
    draft = Subscription(
        user_id=0,
        subject=subject,
        kind="search",
        query=query,
        name="",
        channel="daily",
        feed_token="",
    )
    return label(session, draft)


def new_form_values(session: Session, query: str) -> dict[str, str]:
    """What the "new subscription" form starts with: a saved search when a catalogue query is given
    (`label` shows its automatic name; the name field stays empty, so the name stays automatic)."""
    normalised = normalise_query(query) if query else ""
    if normalised:
        return {
            "kind": "search",
            "query": normalised,
            "label": search_label(session, "initiatives", normalised),
            "channel": "daily",
        }
    return {"kind": "category", "channel": "daily"}


def new_problem_form_values(session: Session, query: str) -> dict[str, str]:
    """The form for a problem subscription: a saved listing search when the listing had words
    or filters, otherwise a field or province to follow."""
    normalised = normalise_problem_query(query)
    if normalised:
        return {
            "subject": "problems",
            "kind": "search",
            "query": normalised,
            "label": search_label(session, "problems", normalised),
            "channel": "daily",
        }
    return {"subject": "problems", "kind": "category", "channel": "daily"}
