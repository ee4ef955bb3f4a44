"""How typed words become query units: the matching contract of both engines.

1. Words are grouped into *units*: a span of words that is a synonym phrase
   ("khám chữa bệnh từ xa", "large language model") is one unit, longest
   span first; every other word is a unit of its own.
2. Stop words are judged on the accented form: a word written with its marks
   that is a stop word ("về", "của", "và") is dropped; a word typed without
   marks that folds to a stop word ("ve", "cua", "cho") may be a real word
   (vệ, cua, chó), so it is *optional*: it never excludes a document but
   ranks those containing it higher.  "vệ" is never a stop word.
3. Strict first: every required unit must match.  When that finds nothing,
   units that match nothing anywhere in the index are dropped; when there is
   still nothing, units are dropped from the end, as Meilisearch's ``last``
   strategy does, down to the first unit, until the leading run finds
   something: the results are its first non-empty tier, and the dropped units
   still rank documents that contain them higher.  The words not used are
   always reported to the user (:attr:`search.interface.Result.ignored`), so a
   query nothing answers in full ("tàu ngầm hạt nhân") shows what a looser
   reading finds under a clear notice rather than an empty page.
4. Documents holding adjacent query words next to each other rank higher
   (Meilisearch's ``proximity`` rule).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from search.text import accent_form, fold, nfc, one_edit_apart, tokenize

DROP, OPTIONAL, REQUIRED = "drop", "optional", "required"


@dataclass(frozen=True)
class Unit:
    """One matching unit: the typed words (lower-case, accents as typed) and,
    for a synonym phrase, the dictionary entry it matched (accent form)."""

    words: tuple[str, ...]
    role: str = REQUIRED
    key: tuple[str, ...] | None = None
    exact: frozenset[str] = frozenset()  # words that match only as written (:func:`exact_only`)

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(w) for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(self.words)


class SynonymTable:
    """Synonym groups, looked up by typed spans.

    A typed word matches a dictionary word when both fold alike and, if the
    user wrote marks, the marks agree too: "lon" may be lợn (→ heo), "lớn"
    never is.
    """

    def __init__(self, groups: Iterable[Iterable[str]]):
        self.equivalents: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self._by_folded: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for group in groups:
            phrases = [tuple(accent_form(w) for w in tokenize(p)) for p in group]
            phrases = [p for p in dict.fromkeys(phrases) if p]
            for phrase in phrases:
                others = self.equivalents.setdefault(phrase, [])
                others.extend(o for o in phrases if o != phrase and o not in others)
                keys = self._by_folded.setdefault(tuple(fold(w) for w in phrase), [])
                if phrase not in keys:
                    keys.append(phrase)
        self.longest = max((len(k) for k in self._by_folded), default=1)

    def near(self, word: str) -> tuple[str, ...] | None:
        """A one-word dictionary entry one edit from ``word`` (hydrogne →
        hydrogen), for typo correction of words the index does not hold."""
        folded = fold(word)
        for key in sorted(k for k in self._by_folded if len(k) == 1):
            if one_edit_apart(folded, key[0]):
                return self._by_folded[key][0]
        return None

    def lookup(self, span: Sequence[str]) -> tuple[str, ...] | None:
        """The dictionary phrase the typed ``span`` stands for, if any."""
        for key in self._by_folded.get(tuple(fold(w) for w in span), []):
            if all(fold(w) == w or accent_form(w) == k for w, k in zip(span, key, strict=True)):
                return key
        return None


def stop_role(word: str, stop_words: Collection[str], accented_query: bool) -> str:
    """``drop`` for a stop word as written ("về"; "cho" in a query typed with
    marks); ``optional`` for a word of a query typed without marks that folds
    to a stop word ("ve", "cua", "cho": maybe vệ, cua, chó); ``required``
    otherwise."""
    if word in {accent_form(w) for w in stop_words} or accent_form(word) in {
        accent_form(w) for w in stop_words if fold(w) != w
    }:
        return DROP if fold(word) != word or accented_query else OPTIONAL
    if not accented_query and word in {fold(w) for w in stop_words}:
        return OPTIONAL
    return REQUIRED


def exact_only(word: str, stop_words: Collection[str], accented_query: bool) -> bool:
    """A word that folds like a stop word but is written as another word
    matches only as written, or "vệ tinh" would find "về tinh thần": any such
    word with marks ("vệ", "chó"), and in a query typed with marks also one
    without ("cá voi xanh": voi, not với)."""
    return (fold(word) != word or accented_query) and fold(word) in {fold(w) for w in stop_words}


def units(
    text: str, stop_words: Collection[str], synonyms: SynonymTable | None = None
) -> list[Unit]:
    """Typed text → units (see the module docstring).  When every word would
    be dropped or optional, all are required (a query of only "cho" still
    searches)."""
    words = tokenize(text)
    accented_query = any(fold(w) != w for w in words)
    longest = synonyms.longest if synonyms else 1
    out: list[Unit] = []
    k = 0
    while k < len(words):
        key = None
        size = 1
        for size in range(min(longest, len(words) - k), 0, -1):
            key = synonyms.lookup(words[k : k + size]) if synonyms else None
            if key is not None or size == 1:
                break
        span = tuple(words[k : k + size])
        role = (
            stop_role(span[0], stop_words, accented_query)
            if size == 1 and key is None
            else REQUIRED
        )
        exact = frozenset(w for w in span if exact_only(w, stop_words, accented_query))
        out.append(Unit(span, role, key, exact))
        k += size
    if not any(u.role == REQUIRED for u in out):
        return [Unit(u.words, REQUIRED, u.key, u.exact) for u in out]
    return [u for u in out if u.role != DROP]


_WORD = re.compile(r"[^\W_]+")


def typed_words(text: str) -> list[str]:
    """The words as typed (NFC, case kept), in the tokenizer's sense."""
    return _WORD.findall(nfc(text))


def keep_casing(typed: str, replacement: str) -> str:
    """``replacement`` in the casing of ``typed``: AI → AI, Truog → Trường."""
    if len(typed) > 1 and typed.isupper():
        return replacement.upper()
    if typed[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def ignored_words(dropped: Iterable[Unit], text: str) -> tuple[str, ...]:
    """The dropped units' words as the user typed them (casing kept), in query order."""
    wanted = [w for u in dropped for w in u.words]
    out = []
    for word in typed_words(text):
        if word.lower() in wanted:
            wanted.remove(word.lower())
            out.append(word)
    return tuple(out)


def leading(units_: Sequence[Unit], k: int) -> str:
    return " ".join(u.text for u in units_[:k])
