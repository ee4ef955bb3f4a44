"""Sign-in throttling holds under a burst: exactly the limit of attempts is checked."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from app.accounts.models import LoginThrottle
from tests import factories


def test_sixty_parallel_wrong_passwords_check_exactly_the_limit_and_never_fail(
    client, session, settings
):
    person = factories.user(session, email="an@example.vn")

    def attempt(_n: int) -> int:
        return client.post(
            "/api/v1/auth/token", data={"username": person.email, "password": "sai mật khẩu"}
        ).status_code

    with ThreadPoolExecutor(max_workers=60) as pool:
        codes = list(pool.map(attempt, range(60)))
    assert sorted(set(codes)) == [401, 429]
    assert codes.count(401) == settings.login_max_failures
    assert codes.count(429) == 60 - settings.login_max_failures
    session.expire_all()
    row = session.exec(
        select(LoginThrottle).where(LoginThrottle.key == "email:an@example.vn")
    ).one()
    assert row.locked_until is not None


def test_mail_requests_are_counted_atomically_too(client, session, settings, worker):
    from app.accounts import service

    person = factories.user(session, email="binh@example.vn")
    for _ in range(service.MAILS_PER_WINDOW + 3):
        service.request_password_reset(session, person.email)
        session.commit()
    row = session.get(LoginThrottle, "mail:binh@example.vn")
    assert row is not None and row.failures == service.MAILS_PER_WINDOW + 3
    from app.outbox.models import OutboxEvent

    assert (
        len(list(session.exec(select(OutboxEvent).where(OutboxEvent.topic == "mail.send"))))
        == service.MAILS_PER_WINDOW
    )
