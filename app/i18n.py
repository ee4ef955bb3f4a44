"""Vietnamese first, English second, through gettext catalogs.

Message ids are English; `frontend/locale/vi/LC_MESSAGES/*.po` holds the
Vietnamese translations, one catalog file per domain so domains never edit the
same file. The catalogs are read with Babel at start-up (no compile step). The
language of the current request or job lives in a context variable, so
services, templates and mails all translate without passing it around.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_decimal

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "frontend" / "locale"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@lru_cache
def catalog(language: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """All translations of one language, merged from its per-domain .po files."""
    messages: dict = {}
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=language):
                if not message.id or message.fuzzy:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if all(strings):
                    messages[message.id] = message.string
    return messages


def get_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Translate in `language` for the block (mails in the recipient's language)."""
    token = _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def translate(message: str) -> str:
    """The translation of `message`, unformatted (Jinja formats it itself)."""
    translated = catalog(get_language()).get(message, message)
    return translated if isinstance(translated, str) else translated[0]


def translate_plural(singular: str, plural: str, n: float) -> str:
    translated = catalog(get_language()).get((singular, plural)) or catalog(get_language()).get(
        singular
    )
    if isinstance(translated, tuple):
        # Vietnamese has a single plural form; English source strings use two.
        return translated[0] if len(translated) == 1 else translated[0 if n == 1 else 1]
    return singular if n == 1 else plural


def gettext(message: str, **params: object) -> str:
    text = translate(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, count: float, /, **params: object) -> str:
    """The form of a count line that fits `count` (English: one or many; Vietnamese: one form).

    The count is positional only, so the message may name its own placeholder `n`."""
    params.setdefault("num", count)
    return translate_plural(singular, plural, count) % params


_ = gettext


def pick_language(*candidates: str | None, accept_language: str = "") -> str:
    """The first supported language among explicit choices, then the browser's."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def format_datetime(value: datetime | None, fmt: str = "short") -> str:
    if value is None:
        return ""
    return _babel_datetime(value.astimezone(TIMEZONE), fmt, locale=Locale.parse(get_language()))


def format_date(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return _babel_date(value.astimezone(TIMEZONE), fmt, locale=Locale.parse(get_language()))


def format_number(value: float | None, decimals: int = 2, *, trim: bool = False) -> str:
    """`value` in the reader's language (vi 1.234,5; en 1,234.5) with `decimals` places;
    `trim` drops trailing zeros (a measured target: 6.0 -> 6, 2.50 -> 2,5)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + ("#" if trim else "0") * decimals if decimals else "")
    return _babel_decimal(value, format=pattern, locale=Locale.parse(get_language()))


def extract_messages() -> dict[str, list[str]]:
    """Every translatable message in `app/` and the templates, with where it is used."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, list[str]] = {}
    sources = [
        (LOCALE_DIR.parent.parent / "app", [("**.py", "python")], {}),
        (
            LOCALE_DIR.parent / "templates",
            [("**.html", "jinja2"), ("**.txt", "jinja2"), ("**.xml", "jinja2")],
            {
                "**.html": {"extensions": "jinja2.ext.i18n"},
                "**.txt": {"extensions": "jinja2.ext.i18n"},
                "**.xml": {"extensions": "jinja2.ext.i18n"},
            },
        ),
    ]
    for folder, method_map, options in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(folder),
            method_map,
            options,
            keywords={
                "_": None,
                "gettext": None,
                "ngettext": (1, 2),
                "nav_item": None,
                "figure_provider": (2,),  # the label of a public figure (app.reports)
            },
        ):
            key = message[0] if isinstance(message, tuple) else message
            if key:
                found.setdefault(key, []).append(f"{folder.name}/{filename}:{lineno}")
    return found


def missing_translations(language: str = "vi") -> dict[str, list[str]]:
    translated = {k[0] if isinstance(k, tuple) else k for k in catalog(language)}
    return {msg: where for msg, where in extract_messages().items() if msg not in translated}
