"""Vietnamese text handling shared by every search backend.

Vietnamese users type with and without diacritics (mobile keyboards, habit),
so search matches on a *folded* form: lower-case, no tone or vowel marks,
``đ → d``.  Folding loses meaning (đường / dương both become ``duong``), so
backends also keep the accent-preserving form to rank exact matches higher.

The tokenizer here is the single definition of a "word": the tantivy backend
registers the same pattern as its analyzer, so query terms built in Python
are exactly the terms in the index.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Letters and digits, no underscore.  Written so that Python's `re` and Rust's
# `regex` crate (tantivy's regex tokenizer) read it the same way.
TOKEN_PATTERN = r"[^\W_]+"
_TOKEN_RE = re.compile(TOKEN_PATTERN)


def nfc(text: str) -> str:
    """Compose to NFC: the same word typed on different keyboards is one string."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip tone and vowel marks; ``đ`` becomes ``d``.

    ``năng lượng mặt trời`` → ``nang luong mat troi``; hoà and hòa agree.
    A word (the common call: pages fold every word of the similar initiatives'
    titles and summaries) is folded once per process and then looked up.
    """
    return _fold_word(text) if len(text) <= _WORD else _fold(text)


_WORD = 24


@lru_cache(maxsize=50_000)  # Vietnamese has about 7,000 syllables; a few MiB at most
def _fold_word(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


# Tone marks in NFD: huyền, sắc, ngã, hỏi, nặng.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# "oa", "oe" and "uy" ending a syllable: the old spelling puts the tone on the
# first vowel (hòa, khỏe, thủy), the new one on the second (hoà, khoẻ, thuỷ).
# "qu" is a consonant (quý), and a following letter means the tone has only
# one place (hoàn, khuỷu), so neither is touched.
_NEW_TONE_PLACEMENT = re.compile(
    rf"(?<!q)(o(?=[ae])|u(?=y))([aey])([{_TONES}])(?![^\W_]|[\u0300-\u036f])"
)


def accent_form(text: str) -> str:
    """NFC, lower-case, and one tone placement (the old one: hòa, thủy).

    This is the accent-preserving form both engines compare for the
    exact-accent bonus, so hoà and hòa count as the same spelling while
    hoá (another tone) does not. A word is computed once per process (highlighting
    asks for every shown word).
    """
    return _accent_word(text) if len(text) <= _WORD else _accent_form(text)


@lru_cache(maxsize=50_000)
def _accent_word(text: str) -> str:
    return _accent_form(text)


def _accent_form(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", _NEW_TONE_PLACEMENT.sub(r"\1\3\2", decomposed))


def _spellings() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in [*range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        letter = chr(code)
        folded = fold(letter)
        if letter == letter.lower() and len(folded) == 1 and folded.isascii():
            table[folded] = table.get(folded, "") + letter
    return table


_SPELLINGS = _spellings()


def spellings(letter: str) -> str:
    """Every lower-case letter that folds to ``letter`` (``d`` → ``dđ``).

    Used to look up the accented forms of a folded word in a vocabulary
    ordered by its accented spelling.
    """
    return _SPELLINGS.get(letter, letter)


def tokenize(text: str) -> list[str]:
    """Split into lower-cased NFC words (accents kept); used for documents and queries."""
    return _TOKEN_RE.findall(nfc(text).lower())


def one_edit_apart(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ by exactly one insertion, deletion,
    substitution or swap of two adjacent letters, and share the first letter.

    Keeping the first letter fixed is what makes one-typo tolerance safe for
    short Vietnamese syllables (``dien`` must not become ``tien``).
    """
    if a == b or not a or not b or a[0] != b[0] or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def mark(text: str, is_match: Callable[[str], bool], crop_words: int | None = None) -> str:
    """HTML-escape ``text`` and wrap every word for which ``is_match(word)``
    holds in ``<mark>…</mark>``.

    With ``crop_words`` the result is a window of about that many words around
    the first match (or the start), with ``…`` where text was cut.

    Only the shown window is marked: words are tested up to the first match
    (which places the window), then inside the window; each distinct word is
    tested once. A results page shows about 30 words of long summaries, so
    this is most of the cost of highlighting.
    """
    text = nfc(text)
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    known: dict[str, bool] = {}

    def matches(k: int) -> bool:
        s, e = spans[k]
        word = text[s:e].lower()
        found = known.get(word)
        if found is None:
            found = known[word] = is_match(word)
        return found

    start, end = 0, len(text)
    window = range(len(spans))
    if crop_words is not None and len(spans) > crop_words:
        first_hit = next((k for k in window if matches(k)), 0)
        first = max(0, first_hit - crop_words // 4)
        last = min(len(spans), first + crop_words) - 1
        start, end = spans[first][0], spans[last][1]
        window = range(first, last + 1)
    out, pos = [], start
    for k in window:
        if not matches(k):
            continue
        s, e = spans[k]
        out.append(html.escape(text[pos:s]) + "<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
