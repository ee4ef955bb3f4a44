"""Sign-in throttling holds under a burst: exactly the limit of attempts is checked."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from app.accounts import throttle
from app.accounts.models import LoginThrottle
from tests import factories
from tests.conftest import PASSWORD


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
    for _ in range(throttle.MAILS_PER_WINDOW + 3):
        service.request_password_reset(session, person.email)
        session.commit()
    row = session.get(LoginThrottle, "mail:binh@example.vn")
    assert row is not None and row.failures == throttle.MAILS_PER_WINDOW + 3
    from app.outbox.models import OutboxEvent

    assert (
        len(list(session.exec(select(OutboxEvent).where(OutboxEvent.topic == "mail.send"))))
        == throttle.MAILS_PER_WINDOW
    )


def test_on_postgresql_a_sign_in_never_waits_for_another_from_the_same_address(postgres_url):
    """Row locking is what is under test, so this one runs on PostgreSQL only, in its own
    database. Counted in the sign-in's own transaction, the address's throttle row stayed
    locked until that sign-in committed: everyone behind one gateway signed in one by one,
    each waiting for the previous argon2 verification."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.accounts import service
    from app.db import make_engine
    from app.migrate import upgrade
    from tests.fixtures.postgres import create_database

    url = create_database(postgres_url, "portal_sign_in_throttle")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as setup:
        for email in ("an@example.vn", "binh@example.vn"):
            service.create_user(
                setup, email=email, full_name=email, password="Mat-khau-2026!", verified=True
            )
        setup.commit()
    with Session(engine) as first, Session(engine) as second:
        for open_transaction in (first, second):
            open_transaction.execute(text("SET lock_timeout = '2s'"))
        signed_first = service.authenticate(
            first, "an@example.vn", "Mat-khau-2026!", client_ip="10.1.2.3"
        )  # `first` stays uncommitted
        refused = service.authenticate(  # before: LockNotAvailable after 2 s
            second, "binh@example.vn", "sai mật khẩu", client_ip="10.1.2.3"
        )
        second.commit()
        first.rollback()
    assert signed_first is not None and refused is None
    with Session(engine) as check:
        counts = dict(check.exec(select(LoginThrottle.key, LoginThrottle.failures)).all())
    # The refusal counted on both keys although nothing else committed; the success
    # cleared its own e-mail key and the shared address's count at once.
    assert counts == {"email:binh@example.vn": 1, "ip:10.1.2.3": 1}
    engine.dispose()


def test_thirty_colleagues_behind_one_address_sign_in_at_once(client, session, settings):
    """An address's count is of failures only: thirty people behind one gateway signing in
    together (more than the address's limit of 25) are all let in."""
    people = [factories.user(session, email=f"nv{k}@so.example.vn") for k in range(30)]
    session.commit()
    barrier = threading.Barrier(30)

    def sign_in(email: str) -> int:
        barrier.wait()
        return client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        ).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(sign_in, [p.email for p in people]))
    assert codes == [200] * 30
