"""Mails: composed in the recipient's language when queued, sent over real SMTP by the worker."""

from __future__ import annotations

from sqlmodel import select

from app.db import unit_of_work
from app.mail import service
from app.mail.models import DevMail
from app.outbox import topics
from app.outbox.models import OutboxEvent

CONTEXT = {"name": "An", "link": "http://testserver/account/verify?token=abc"}


def test_compose_renders_subject_text_and_html_in_the_language_asked():
    subject, text, html = service.compose("accounts/mail/verify", CONTEXT, "vi")
    english = service.compose("accounts/mail/verify", CONTEXT, "en")
    assert english[0] == "Confirm your email address"
    assert subject != english[0] and "\n" not in subject
    assert "http://testserver/account/verify?token=abc" in text
    assert html is not None and "http://testserver/account/verify?token=abc" in html
    # no .html template: text only
    assert service.compose("accounts/mail/reset", CONTEXT, "en")[2] is None


def test_a_queued_mail_is_an_outbox_row_of_the_transaction_and_sent_over_smtp(
    app, worker, mail_to_smtp
):
    with unit_of_work(app.state.engine) as session:
        service.queue_mail(
            session,
            to="an@example.vn",
            template="accounts/mail/verify",
            context=CONTEXT,
            language="en",
            headers={"X-Portal": "1"},
        )
        (event,) = session.exec(select(OutboxEvent)).all()
        assert event.topic == topics.MAIL_SEND
    worker.drain()
    (mail,) = mail_to_smtp.wait_for(1)
    assert mail.rcpt_tos == ["an@example.vn"]
    assert mail.message["Subject"] == "Confirm your email address"
    assert mail.message["X-Portal"] == "1"
    assert mail.message["Message-ID"].startswith(f"<outbox-{event.id}@")


def test_a_mail_queued_in_a_refused_request_is_never_sent(app, worker, mail_to_smtp):
    from app.db import refuse

    with unit_of_work(app.state.engine) as session:
        service.queue_mail(
            session, to="an@example.vn", template="accounts/mail/verify", context=CONTEXT
        )
        refuse(session)
    assert worker.drain() == 0
    with unit_of_work(app.state.engine) as session:
        assert session.exec(select(OutboxEvent)).all() == []


def test_without_smtp_the_mail_goes_to_the_dev_mailbox_once(app, session):
    payload = {"to": "an@example.vn", "subject": "Chào", "text": "Nội dung", "html": None}
    service.deliver(session, payload, event_id=7)
    service.deliver(session, payload, event_id=7)  # a retried delivery: same Message-ID
    session.commit()
    (kept,) = session.exec(select(DevMail)).all()
    assert (kept.to, kept.subject, kept.text) == ("an@example.vn", "Chào", "Nội dung")
    assert kept.message_id.startswith("<outbox-7@")


def test_a_long_vietnamese_subject_naming_the_initiative_arrives_exactly(app, worker, mail_to_smtp):
    """Folding a long subject used to drop the space at a fold ("giai đoạn" → "giaiđoạn")."""
    from types import SimpleNamespace

    titles = [
        "Hệ thống cảnh báo sớm sạt lở đất dựa trên cảm biến IoT và trí tuệ nhân tạo cho các "
        "tỉnh miền núi phía Bắc",
        "Ứng dụng công nghệ chuỗi khối trong truy xuất nguồn gốc nông sản xuất khẩu sang thị "
        "trường châu Âu và Nhật Bản",
        "Nền tảng học máy dự báo lũ quét — giai đoạn 2, mở rộng cho 14 tỉnh",
        "Cảm biến IoT giám sát sạt lở đất cho các tỉnh miền núi phía Bắc",  # lost a space
    ]
    sent = []
    with unit_of_work(app.state.engine) as session:
        for n, title in enumerate(titles):
            context = {
                "initiative": SimpleNamespace(id=n + 1, title=title, receipt_code=None),
                "to_status": "in_review",
                "from_status": "screening",
                "reason": None,
                "name": "An",
            }
            sent.append(service.compose("notifications/mail/stage_change", context, "vi")[0])
            service.queue_mail(
                session,
                to=f"an{n}@example.vn",
                template="notifications/mail/stage_change",
                context=context,
            )
    assert sent[0] == f"Sáng kiến “{titles[0]}” chuyển sang giai đoạn: Đang đánh giá"
    worker.drain()
    received = {m.rcpt_tos[0]: m for m in mail_to_smtp.wait_for(len(titles))}
    for n, subject in enumerate(sent):
        mail = received[f"an{n}@example.vn"]
        assert mail.subject == subject
        head = mail.raw.split(b"\r\n\r\n")[0].split(b"\r\n")
        assert max(len(line) for line in head) <= 78  # still folded
