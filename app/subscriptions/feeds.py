"""Atom feeds (RFC 4287) of published initiatives, with validators for conditional GET.

Built with ElementTree, so every text is escaped by the XML writer. The
ETag covers the entries' ids and dates and the feed's own address, so it
changes whenever an entry appears, disappears or is republished.
"""

from __future__ import annotations

import dataclasses
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime as http_date
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from sqlmodel import Session, col, select

from app.catalogue import indexing
from app.config import get_settings
from app.errors import NotFound
from app.i18n import _, get_language
from app.initiatives.models import Initiative
from app.subscriptions import matching, public
from app.subscriptions import problems as problem_subscriptions
from app.subscriptions import service as subscriptions
from app.subscriptions.models import Subscription
from app.subscriptions.public import PublicInitiative

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build(
    *, feed_id: str, title: str, self_url: str, alternate_url: str, items: list[PublicInitiative]
) -> Feed:
    updated = (
        max((i.published_at for i in items), default=EPOCH).astimezone(UTC).replace(microsecond=0)
    )
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(root, f"{{{ATOM}}}title").text = title
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _iso(updated)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate_url)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = (
        get_settings().mail_from.split("<")[0].strip() or "Portal"
    )
    for item in items:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = item.url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(item.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(item.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=item.url)
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(entry_author, f"{{{ATOM}}}name").text = item.author
        if item.field:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=item.field)
        ET.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = item.summary
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    fingerprint = "|".join(
        [self_url, title] + [f"{i.id}:{_iso(i.published_at)}:{i.title}" for i in items]
    )
    etag = '"' + hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:32] + '"'
    return Feed(body=body, etag=etag, last_modified=updated)


def not_modified(feed: Feed, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110: If-None-Match wins when present; otherwise compare If-Modified-Since."""
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or feed.etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return feed.last_modified <= since
    return False


def headers(feed: Feed) -> dict[str, str]:
    return {
        "ETag": feed.etag,
        "Last-Modified": http_date(feed.last_modified, usegmt=True),
        "Cache-Control": "no-cache",
    }


# -- the three feeds --------------------------------------------------------------
FEED_SIZE = 50


def _absolute(path: str) -> str:
    return f"{get_settings().base_url}{path}"


def all_initiatives(session: Session) -> Feed:
    items = [public.view(session, i) for i in public.latest(session, limit=FEED_SIZE)]
    return build(
        feed_id=_absolute("/feeds/initiatives.atom"),
        title=_("Published initiatives"),
        self_url=_absolute("/feeds/initiatives.atom"),
        alternate_url=_absolute("/search"),
        items=items,
    )


def field_feed(session: Session, code: str) -> Feed:
    field = subscriptions.field_by_code(session, code)
    if field is None:
        raise NotFound(_("No such field."))
    items = [
        public.view(session, i) for i in public.latest(session, field_code=code, limit=FEED_SIZE)
    ]
    path = f"/feeds/fields/{quote(code)}.atom"
    return build(
        feed_id=_absolute(path),
        title=_("Published initiatives: %(field)s", field=field.name(get_language())),
        self_url=_absolute(path),
        alternate_url=_absolute(f"/search?field={quote(code)}"),
        items=items,
    )


def problems_feed(session: Session) -> Feed:
    """Newly opened problem statements (open or awarded now)."""
    items = [
        problem_subscriptions.view(session, p)
        for p in problem_subscriptions.latest(session, limit=FEED_SIZE)
    ]
    return build(
        feed_id=_absolute("/feeds/problems.atom"),
        title=_("Problems to solve"),
        self_url=_absolute("/feeds/problems.atom"),
        alternate_url=_absolute("/problems"),
        items=items,
    )


def _saved_problem_search_feed(session: Session, token: str, sub: Subscription) -> Feed:
    items = [
        problem_subscriptions.view(session, p)
        for p in problem_subscriptions.saved_search(session, sub, limit=FEED_SIZE)
    ]
    return build(
        feed_id=_absolute(f"/feeds/subscriptions/{sub.id}"),
        title=subscriptions.label(session, sub),
        self_url=_absolute(f"/feeds/s/{token}.atom"),
        alternate_url=_absolute(problem_subscriptions.listing_url(sub.query)),
        items=items,
    )


def saved_search_feed(session: Session, token: str) -> Feed:
    """The newest results of a saved search, as the engine finds them (private: behind the token);
    a saved problem search as the problems listing finds them."""
    sub = subscriptions.by_feed_token(session, token)
    if sub.subject == problem_subscriptions.SUBJECT:
        return _saved_problem_search_feed(session, token, sub)
    query = dataclasses.replace(
        matching.engine_query(sub.query or ""), sort=[("published_at", "desc")], limit=FEED_SIZE
    )
    ids = [int(hit.id) for hit in indexing.engine().search(query).hits]
    found = (
        {i.id: i for i in session.exec(select(Initiative).where(col(Initiative.id).in_(ids)))}
        if ids
        else {}
    )
    items = [public.view(session, found[i]) for i in ids if public.is_published(found.get(i))]
    path = f"/feeds/s/{token}.atom"
    return build(
        feed_id=_absolute(f"/feeds/subscriptions/{sub.id}"),
        title=subscriptions.label(session, sub),
        self_url=_absolute(path),
        alternate_url=_absolute(f"/search?{sub.query}" if sub.query else "/search"),
        items=items,
    )
