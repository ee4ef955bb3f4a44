"""Compose mails from templates and queue them; deliver them over SMTP.

A mail is rendered when it is queued, in the recipient's language, and
delivered by the outbox worker. Its Message-ID is derived from the outbox
event, so a retried delivery carries the same id.
"""

from __future__ import annotations

import base64
import smtplib
from email import policy as email_policy
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate

from sqlmodel import Session, select

from app.config import get_settings
from app.i18n import use_language
from app.mail.models import DevMail
from app.outbox import service as outbox
from app.outbox import topics
from app.web.templating import has_template, render_string


def compose(template: str, context: dict, language: str) -> tuple[str, str, str | None]:
    """Render `<template>.subject.txt`, `.txt` and (if present) `.html`.

    `template` names a path under frontend/templates, e.g. "accounts/mail/verify".
    """
    with use_language(language):
        # A subject is one line whatever the template's layout (a newline would be folded away).
        subject = " ".join(render_string(f"{template}.subject.txt", context).split())
        text = render_string(f"{template}.txt", context)
        html_name = f"{template}.html"
        html = render_string(html_name, context) if has_template(html_name) else None
    return subject, text, html


def queue_mail(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "vi",
    headers: dict[str, str] | None = None,
    key: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> None:
    """Render a mail now and queue its delivery after the transaction commits.

    `attachments` are (filename, content type, bytes), kept base64-encoded in the payload.
    """
    subject, text, html = compose(
        template, {"base_url": get_settings().base_url, **context}, language
    )
    outbox.enqueue(
        session,
        topics.MAIL_SEND,
        {
            "to": to,
            "subject": subject,
            "text": text,
            "html": html,
            "headers": headers or {},
            **(
                {
                    "attachments": [
                        {"filename": n, "content_type": t, "data": base64.b64encode(b).decode()}
                        for n, t, b in attachments
                    ]
                }
                if attachments
                else {}
            ),
        },
        key=key,
    )


class _Policy(EmailPolicy):
    """The standard policy, except that a non-ASCII subject is folded into encoded words
    that each carry their own spaces.

    The standard folder (CPython 3.11–3.13) can end a line with the space between two
    words and begin the next with an encoded word; RFC 2047 decoders drop whitespace
    between encoded words, so "giai đoạn" arrived as "giaiđoạn". `Header.encode` splits
    inside the encoded text, keeping every space (tests/mail/test_service.py).
    """

    def _fold(self, name: str, value: object, refold_binary: bool = False) -> str:
        text = str(value)
        if name.lower() != "subject" or text.isascii() or self.utf8:
            return super()._fold(name, value, refold_binary)  # type: ignore[misc]
        encoded = Header(text, "utf-8", header_name=name).encode(
            linesep=self.linesep, maxlinelen=self.max_line_length or 78
        )
        return f"{name}: {encoded}{self.linesep}"


POLICY = _Policy() + email_policy.SMTP


def build_message(payload: dict, message_id: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = get_settings().mail_from
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    for name, value in payload.get("headers", {}).items():
        message[name] = value
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    for item in payload.get("attachments", []):
        maintype, _slash, subtype = item["content_type"].partition("/")
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
        )
    return message


def deliver(session: Session, payload: dict, event_id: int) -> None:
    """Send through SMTP, or keep in the dev mailbox when no SMTP host is set."""
    settings = get_settings()
    domain = settings.mail_from.rsplit("@", 1)[-1].strip(">") or "localhost"
    message_id = f"<outbox-{event_id}@{domain}>"
    message = build_message(payload, message_id)
    if not settings.smtp_host:
        if session.exec(select(DevMail).where(DevMail.message_id == message_id)).first() is None:
            session.add(
                DevMail(
                    message_id=message_id,
                    to=payload["to"],
                    subject=payload["subject"],
                    text=payload["text"],
                    html=payload.get("html"),
                )
            )
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
