"""Every message in code and templates has a Vietnamese translation."""

from __future__ import annotations

import re

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


def test_a_count_has_a_singular_and_a_plural_in_english_and_one_form_in_vietnamese():
    one, many = "%(n)s initiative found", "%(n)s initiatives found"
    with i18n.use_language("en"):
        assert i18n.ngettext(one, many, 1, n=1) == "1 initiative found"
        assert i18n.ngettext(one, many, 2, n=2) == "2 initiatives found"
        assert i18n.ngettext(one, many, 0, n=0) == "0 initiatives found"
    with i18n.use_language("vi"):
        assert i18n.ngettext(one, many, 1, n=1) == "Tìm thấy 1 sáng kiến"
        assert i18n.ngettext(one, many, 2, n=2) == "Tìm thấy 2 sáng kiến"
    # The catalog holds the plural entry under (singular, plural), with Vietnamese's one form.
    assert i18n.catalog("vi")[(one, many)] == ("Tìm thấy %(n)s sáng kiến",)


def test_templates_choose_the_form_through_ngettext():
    from app.web.templating import env

    template = env.from_string('{{ ngettext("%(n)s row", "%(n)s rows", n, n=n) }}')
    with i18n.use_language("en"):
        assert [template.render(n=k) for k in (1, 3)] == ["1 row", "3 rows"]
    with i18n.use_language("vi"):
        assert [template.render(n=k) for k in (1, 3)] == ["1 dòng", "3 dòng"]


# A count followed by an English noun in the plural must be a plural message (ngettext);
# placeholders that are never counts (names, titles, ranges such as "3-5", decimals) are not checked.
_COUNT = re.compile(
    r"%\((?:n|count|days|hours|minutes|done|target|minimum|total)\)s((?: [a-z-]+){1,3})"
)
_NOT_NOUNS = {"is", "was", "has", "its", "this", "as"}


def _counts_without_plural(messages: list[str], plural: set[str]) -> list[str]:
    def counts_a_noun(message: str) -> bool:
        words = [w for found in _COUNT.findall(message) for w in found.split()]
        return any(w.endswith("s") and w not in _NOT_NOUNS for w in words)

    return [m for m in messages if m not in plural and counts_a_noun(m)]


def test_every_count_followed_by_a_noun_is_a_plural_message():
    plural = {k[0] for k in i18n.catalog("vi") if isinstance(k, tuple)}
    assert _counts_without_plural(list(i18n.extract_messages()), plural) == []
    # The check is not vacuous: a singular-only count line is found, a plural one is not.
    assert _counts_without_plural(["%(n)s initiatives found", "Criterion %(n)s"], plural=set()) == [
        "%(n)s initiatives found"
    ]
    assert _counts_without_plural(["%(n)s initiative found"], {"%(n)s initiative found"}) == []
