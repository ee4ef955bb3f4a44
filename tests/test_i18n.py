"""Every message in code and templates has a Vietnamese translation."""

from __future__ import annotations

from app import i18n


def test_every_message_is_translated_to_vietnamese():
    missing = i18n.missing_translations("vi")
    assert missing == {}, "run `portal i18n-check` and translate:\n" + "\n".join(sorted(missing))


def test_translation_follows_the_current_language():
    with i18n.use_language("en"):
        assert i18n.gettext("Sign in") == "Sign in"
    with i18n.use_language("vi"):
        assert i18n.gettext("Sign in") == "Đăng nhập"
        assert i18n.gettext("Welcome, %(name)s.", name="An") == "Chào mừng An."


def test_unknown_language_falls_back_to_vietnamese():
    assert i18n.pick_language("fr", None, accept_language="fr-FR,de") == "vi"
    assert i18n.pick_language(None, "en") == "en"
    assert i18n.pick_language(None, None, accept_language="en-US,en;q=0.9") == "en"


def test_a_message_has_one_translation_across_the_domain_catalogs():
    """Catalogs are merged, so two translations of one msgid would make one domain show the other's meaning."""
    from babel.messages.pofile import read_po

    translations: dict[str, set[str]] = {}
    for po in sorted((i18n.LOCALE_DIR / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    translations.setdefault(key, set()).add(value)
    assert {k: v for k, v in translations.items() if len(v) > 1} == {}
