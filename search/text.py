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
    """
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


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
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def mark(text: str, is_match: Callable[[str], bool], crop_words: int | None = None) -> str:
    """HTML-escape ``text`` and wrap every word for which ``is_match(word)``
    holds in ``<mark>…</mark>``.

    With ``crop_words`` the result is a window of about that many words around
    the first match (or the start), with ``…`` where text was cut.
    """
    text = nfc(text)
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    hits = [k for k, (s, e) in enumerate(spans) if is_match(text[s:e].lower())]
    start, end = 0, len(text)
    if crop_words is not None and len(spans) > crop_words:
        first = max(0, (hits[0] if hits else 0) - crop_words // 4)
        last = min(len(spans), first + crop_words) - 1
        start, end = spans[first][0], spans[last][1]
    out, pos = [], start
    for k in hits:
        s, e = spans[k]
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]) + "<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
