"""Attachment verbs: record stored uploads, delete them while editable, check downloads.

Files are streamed into storage by `app.storage.receive_upload` before these
run; a stored file whose row is never committed is removed by the caller's
error path. Deleting a row queues the file's removal, so a rolled-back delete
keeps its file.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts.models import User
from app.errors import Conflict, NotFound, PermissionDenied
from app.i18n import _, ngettext
from app.initiatives import permissions as perms
from app.initiatives import visibility
from app.initiatives.models import Attachment, Initiative
from app.outbox import service as outbox
from app.outbox import topics
from app.storage import StoredFile, get_storage

MAX_ATTACHMENTS = 20


def _ensure_editable(user: User | None, initiative: Initiative) -> None:
    if not perms.is_editing_author(user, initiative):
        raise PermissionDenied(_("Only its authors can change the files of this initiative."))
    if not perms.can_edit(user, initiative):
        raise Conflict(
            _(
                "Files can be changed only while the initiative is a draft or returned for revision."
            ),
            code="not-editable",
        )


def ensure_can_attach(user: User | None, initiative: Initiative) -> None:
    """Checked before the upload is streamed, so nobody else's bytes reach storage."""
    _ensure_editable(user, initiative)
    if len(initiative.attachments) >= MAX_ATTACHMENTS:
        raise Conflict(
            ngettext(
                "An initiative can have at most %(n)s file.",
                "An initiative can have at most %(n)s files.",
                MAX_ATTACHMENTS,
                n=MAX_ATTACHMENTS,
            )
        )


def add(
    session: Session,
    user: User,
    initiative: Initiative,
    files: list[StoredFile],
    *,
    confidential: bool = True,
) -> list[Attachment]:
    try:
        ensure_can_attach(user, initiative)
    except (PermissionDenied, Conflict):
        for stored in files:
            get_storage().delete(stored.key)
        raise
    rows = [
        Attachment(
            initiative_id=initiative.id,
            storage_key=f.key,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_by_id=user.id,
            confidential=confidential,
        )
        for f in files
    ]
    session.add_all(rows)
    session.flush()
    session.refresh(initiative, ["attachments"])
    return rows


def get(initiative: Initiative, attachment_id: int) -> Attachment:
    found = next((a for a in initiative.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(_("No such file."))
    return found


def delete(session: Session, user: User, initiative: Initiative, attachment: Attachment) -> None:
    _ensure_editable(user, initiative)
    outbox.enqueue(
        session,
        topics.INITIATIVE_ATTACHMENT_DELETED,
        {"storage_key": attachment.storage_key},
        key=f"initiative:{initiative.id}",
    )
    session.delete(attachment)
    session.flush()
    session.refresh(initiative, ["attachments"])


def for_download(
    session: Session, user: User | None, initiative: Initiative, attachment_id: int
) -> Attachment:
    """The attachment if `user` may download it (the same rules as the sections); 404 otherwise."""
    attachment = get(initiative, attachment_id)
    if not visibility.can_download(session, user, initiative, attachment):
        raise NotFound(_("No such file."))
    if attachment.confidential:
        visibility.log_confidential_view(session, user, initiative, f"attachment:{attachment.id}")
    return attachment
