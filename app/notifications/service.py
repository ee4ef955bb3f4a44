"""Notification verbs: tell a user about an event once, by their chosen channel; the inbox.

`notify` is what every domain calls (through an outbox handler, so the user
hears only about committed changes). It renders the title and mail in the
recipient's language and records the notification under a dedupe key, so
the same event never reaches the same person twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.config import get_settings
from app.db import utcnow
from app.errors import NotFound, ValidationFailed
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, use_language
from app.mail.service import queue_mail
from app.notifications.models import Notification, NotificationPreference
from app.notifications.types import TYPES
from app.web.templating import has_template, render_string

INBOX_PAGE = 50


# -- preferences ---------------------------------------------------------------
def channel_for(session: Session, user: User, type_name: str) -> str:
    kind = TYPES[type_name]
    pref = session.exec(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.type == type_name
        )
    ).first()
    channel = pref.channel if pref else kind.default
    return channel if channel in kind.choices else kind.default


def preferences(session: Session, user: User) -> dict[str, str]:
    return {name: channel_for(session, user, name) for name in TYPES}


def set_preferences(session: Session, user: User, choices: dict[str, str]) -> None:
    """Save the channel per type; a mandatory type cannot be switched off or away from mail."""
    errors = {
        f"pref-{name}": _("Choose one of the options.")
        for name, channel in choices.items()
        if name not in TYPES or TYPES[name].fixed or channel not in TYPES[name].choices
    }
    if errors:
        raise ValidationFailed(_("Some choices are not possible."), errors=errors)
    existing = {
        p.type: p
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for name, channel in choices.items():
        pref = existing.get(name) or NotificationPreference(
            user_id=user.id, type=name, channel=channel
        )
        pref.channel, pref.updated_at = channel, utcnow()
        session.add(pref)


# -- sending -------------------------------------------------------------------
def already_notified(session: Session, user_id: int, dedupe_key: str) -> bool:
    return (
        session.exec(
            select(Notification.id).where(
                Notification.user_id == user_id, Notification.dedupe_key == dedupe_key
            )
        ).first()
        is not None
    )


def _texts(template: str, context: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The inbox title and text in every language, so each reader sees their own."""
    summary_name = f"{template}.summary.txt"
    has_summary = has_template(summary_name)
    texts = {}
    for language in LANGUAGES:
        with use_language(language):
            title = render_string(f"{template}.subject.txt", context)
            body = render_string(summary_name, context) if has_summary else ""
        texts[language] = {"title": " ".join(title.split())[:300], "body": body.strip()}
    return texts


def notify(
    session: Session,
    user: User,
    type_name: str,
    *,
    dedupe_key: str,
    template: str,
    context: dict[str, Any],
    link: str | None = None,
    channel: str | None = None,
    headers: dict[str, str] | None = None,
) -> Notification | None:
    """Tell `user` about one event; None when they were told already or chose "off".

    `template` names `<template>.subject.txt` (the inbox title too), `.txt`,
    optional `.html` and optional `.summary.txt` (the inbox text).
    """
    if not user.is_active or already_notified(session, user.id, dedupe_key):
        return None
    channel = channel or channel_for(session, user, type_name)
    if channel == "off":
        return None
    absolute = f"{get_settings().base_url}{link}" if link and link.startswith("/") else link
    full_context = {
        "base_url": get_settings().base_url,
        "user": user,
        "name": user.full_name,
        "link": absolute,
        **context,
    }
    texts = _texts(template, full_context)
    own = texts.get(user.language) or texts[DEFAULT_LANGUAGE]
    notification = Notification(
        user_id=user.id,
        type=type_name,
        channel=channel,
        title=own["title"],
        body=own["body"],
        link=link,
        dedupe_key=dedupe_key,
        texts=texts,
    )
    session.add(notification)
    session.flush()
    if channel in ("email", "both"):
        queue_mail(
            session,
            to=user.email,
            template=template,
            context=full_context,
            language=user.language,
            headers=headers,
        )
    return notification


# -- the inbox -----------------------------------------------------------------
def _inbox_query(user: User):
    return select(Notification).where(
        Notification.user_id == user.id, col(Notification.channel).in_(("in_app", "both"))
    )


def inbox(session: Session, user: User, page: int = 1) -> tuple[list[Notification], int]:
    total = session.scalar(select(func.count()).select_from(_inbox_query(user).subquery())) or 0
    rows = session.exec(
        _inbox_query(user)
        .order_by(col(Notification.id).desc())
        .offset((page - 1) * INBOX_PAGE)
        .limit(INBOX_PAGE)
    ).all()
    return list(rows), max(1, -(-total // INBOX_PAGE))


def unread_count(session: Session, user: User) -> int:
    query = _inbox_query(user).where(col(Notification.read_at).is_(None))
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def get_own(session: Session, user: User, notification_id: int) -> Notification:
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("No such notification."))
    return notification


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    notification = get_own(session, user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session.add(notification)
    return notification


def mark_all_read(session: Session, user: User) -> None:
    session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )
