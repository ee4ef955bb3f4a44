"""Mails: the receipt, through the real test SMTP server."""

from __future__ import annotations

from app.initiatives import service
from tests.initiatives import helpers


def test_the_receipt_mail_carries_the_code_and_fingerprint(session, worker, mail_to_smtp):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item)
    session.commit()
    worker.drain()
    # Other domains may mail coordinators about the same event: pick the submitter's mail.
    [mail] = [m for m in mail_to_smtp.wait_for(1) if m.rcpt_tos == [cast.submitter.email]]
    assert mail.subject == f"Mã tiếp nhận {item.receipt_code}: sáng kiến của bạn đã được tiếp nhận"
    assert item.fingerprint in mail.text
    assert f"http://testserver/receipts?code={item.receipt_code}" in mail.text
