"""The inbox, the unread count in the header and the preferences page."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import Role
from app.notifications.models import Notification, NotificationPreference
from tests import factories
from tests.conftest import csrf_of, web_login


def _note(session, user, n: int, link: str | None = "/catalogue/1") -> Notification:
    row = Notification(
        user_id=user.id,
        type="stage_change",
        channel="in_app",
        title=f"Thông báo {n}",
        body="Nội dung",
        link=link,
        dedupe_key=f"test:{n}",
    )
    session.add(row)
    session.commit()
    return row


def test_the_header_shows_the_unread_count_and_the_inbox_lists_the_notifications(client, session):
    user = factories.user(session, Role.investor)
    for n in (1, 2):
        _note(session, user, n)
    session.add(
        Notification(
            user_id=user.id,
            type="receipt",
            channel="email",
            title="Chỉ gửi thư",
            dedupe_key="mail-only",
        )
    )
    session.commit()
    web_login(client, user.email)
    page = client.get("/inbox")
    assert '<span class="badge" aria-label="chưa đọc">2</span>' in page.text
    assert "Thông báo 1" in page.text and "Thông báo 2" in page.text
    assert "Chỉ gửi thư" not in page.text


def test_opening_a_notification_marks_it_read_and_goes_to_the_object(client, session):
    user = factories.user(session, Role.investor)
    note = _note(session, user, 1, link="/catalogue/7")
    web_login(client, user.email)
    response = client.get(f"/inbox/{note.id}", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/catalogue/7")
    session.expire_all()
    assert session.get(Notification, note.id).read_at is not None


def test_mark_one_and_mark_all_read(client, session):
    user = factories.user(session, Role.investor)
    notes = [_note(session, user, n) for n in (1, 2, 3)]
    web_login(client, user.email)
    token = csrf_of(client.get("/inbox").text)
    client.post(f"/inbox/{notes[0].id}/read", data={"csrf_token": token})
    session.expire_all()
    assert [
        n.read_at is not None for n in session.exec(select(Notification).order_by(Notification.id))
    ] == [True, False, False]
    client.post("/inbox/read-all", data={"csrf_token": token})
    session.rollback()  # end the read transaction: SQLite would keep showing its snapshot
    assert all(n.read_at is not None for n in session.exec(select(Notification)))
    assert 'class="badge"' not in client.get("/inbox").text


def test_someone_elses_notification_is_not_found(client, session):
    owner, other = factories.user(session, Role.investor), factories.user(session, Role.investor)
    note = _note(session, owner, 1)
    web_login(client, other.email)
    assert client.get(f"/inbox/{note.id}", follow_redirects=False).status_code == 404


def test_preferences_are_saved_and_a_mandatory_type_cannot_be_changed(client, session):
    user = factories.user(session, Role.submitter)
    web_login(client, user.email)
    token = csrf_of(client.get("/notifications/preferences").text)
    refused = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "pref-decision": "off", "pref-stage_change": "in_app"},
    )
    assert refused.status_code == 400
    assert session.exec(select(NotificationPreference)).first() is None
    saved = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "pref-review_reminder": "email", "pref-stage_change": "off"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.rollback()  # end the read transaction: SQLite would keep showing its snapshot
    prefs = {p.type: p.channel for p in session.exec(select(NotificationPreference))}
    assert prefs == {"review_reminder": "email", "stage_change": "off"}


def test_the_inbox_speaks_the_readers_language_not_the_writers(client, session):
    """Issue 10 §6: an English reader sees English, a Vietnamese reader Vietnamese."""
    from app.i18n import use_language
    from app.initiatives import workflow
    from app.notifications.service import notify
    from tests.initiatives import helpers

    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, status="in_review")
    cast.submitter.language = "vi"  # written while the recipient's language was Vietnamese
    note = notify(
        session,
        cast.submitter,
        "stage_change",
        dedupe_key="test:lang",
        template="notifications/mail/stage_change",
        context={"initiative": item, "from_status": "screening", "to_status": "in_review"},
        link=f"/initiatives/{item.id}",
        channel="in_app",
    )
    session.commit()
    assert note is not None and note.title.startswith("Sáng kiến “")
    web_login(client, cast.submitter.email)
    labels = {}
    for language in ("vi", "en"):
        with use_language(language):
            labels[language] = (
                workflow.status_label("screening"),
                workflow.status_label("in_review"),
            )
    vi = client.get("/inbox?lang=vi").text
    assert f"Sáng kiến “{item.title}” chuyển sang giai đoạn: {labels['vi'][1]}" in vi
    assert (
        f"Sáng kiến “{item.title}” của bạn đã chuyển từ “{labels['vi'][0]}” sang “{labels['vi'][1]}”."
        in vi
    )
    en = client.get("/inbox?lang=en").text
    assert f"“{item.title}” is now: {labels['en'][1]}" in en
    assert (
        f"Your initiative “{item.title}” moved from “{labels['en'][0]}” to “{labels['en'][1]}”."
        in en
    )
    assert "chuyển sang giai đoạn" not in en


def test_a_notification_from_before_it_had_every_language_shows_its_own_text(session):
    user = factories.user(session, Role.investor)
    old = _note(session, user, 1)
    assert (old.title_in("en"), old.body_in("en")) == ("Thông báo 1", "Nội dung")
