"""The demo's printed lines point at the configured address, not at a fixed local one."""

from __future__ import annotations

from app.demo import load_demo


def test_the_demo_names_the_configured_base_url(settings, session):
    settings.base_url = "https://sangkien.example.vn/"
    lines = load_demo(session)
    session.commit()
    assert lines[-1] == (
        "Open https://sangkien.example.vn — mails appear at https://sangkien.example.vn/dev/mailbox"
    )
    assert not any("127.0.0.1" in line for line in lines)
    # with a real SMTP server there is no local mailbox to point at
    settings.smtp_host = "smtp.example.vn"
    assert load_demo(session, only_if_empty=True)[-1] == "Open https://sangkien.example.vn"
