"""The development mailbox: read locally kept mails in the browser."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import col, select

from app.accounts.deps import OptionalUser
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import _
from app.mail.models import DevMail
from app.web.templating import render

router = APIRouter()


def _dev_only(request: Request) -> None:
    if request.app.state.settings.smtp_host or request.app.state.settings.is_production:
        raise NotFound(_("There is nothing at this address."))


@router.get("/dev/mailbox")
def dev_mailbox(request: Request, session: SessionDep, user: OptionalUser):
    """Mails kept locally when no SMTP server is set (development only)."""
    _dev_only(request)
    mails = session.exec(select(DevMail).order_by(col(DevMail.id).desc()).limit(100)).all()
    return render(request, "mail/mailbox.html", {"mails": mails})


@router.get("/dev/mailbox/{mail_id}")
def dev_mail(request: Request, mail_id: int, session: SessionDep, user: OptionalUser):
    _dev_only(request)
    mail = session.get(DevMail, mail_id)
    if mail is None:
        raise NotFound(_("No such mail."))
    return render(request, "mail/mail.html", {"mail": mail})
