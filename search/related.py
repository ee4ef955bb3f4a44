"""Engine-neutral ranking of "similar initiatives" and of suggestions.

Both engines fetch candidates their own way and then rank them here, so
they agree on what counts as similar and which completion comes first.

Similar: a document is described by its *meaningful terms*: pairs of
adjacent words (folded) in its title, keywords and summary, plus each whole
keyword, leaving out pairs that hold a stop word and pairs that say nothing
about the subject ("giải pháp", "hệ thống", "công nghệ" …).  Words that
are not Vietnamese syllables (blockchain, camera) count on their own.  Title
and keyword terms weigh three times a summary term.  Two documents are as similar
as the cosine of their weighted terms; below :data:`MIN_SHARE` a candidate is
not shown at all: no list is better than a list of neighbours that only
share a broad field word.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from search.syllables import is_syllable
from search.text import fold, tokenize

MIN_SHARE = 0.12
TITLE_WEIGHT = 3.0

# Pairs (folded) that appear in initiatives of every field.
GENERIC_PAIRS = frozenset(
    {
        "giai phap",
        "he thong",
        "cong nghe",
        "nghien cuu",
        "ung dung",
        "phat trien",
        "san xuat",
        "quy trinh",
        "nang cao",
        "hieu qua",
        "chat luong",
        "thiet bi",
        "phuong phap",
        "doanh nghiep",
        "viet nam",
        "quan ly",
        "che tao",
        "thiet ke",
        "mo hinh",
        "ky thuat",
        "tu dong",
        "thong minh",
        "san pham",
        "dich vu",
        "nguoi dung",
        "chi phi",
        "giam chi",
        "trong nuoc",
        "thi truong",
    }
)


def _pairs(text: str, stop: Collection[str]) -> list[str]:
    words = [fold(w) for w in tokenize(text)]
    return [
        f"{a} {b}"
        for a, b in zip(words, words[1:], strict=False)
        if a not in stop and b not in stop and f"{a} {b}" not in GENERIC_PAIRS
    ]


def _foreign(text: str) -> list[str]:
    """Words that are not Vietnamese syllables (blockchain, camera, iot): each
    names a subject on its own."""
    return ["w:" + w for w in map(fold, tokenize(text)) if len(w) > 1 and not is_syllable(w)]


@lru_cache(maxsize=16)
def _folded_stop(stop_words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(w) for w in stop_words)


def _stop(stop_words: Collection[str]) -> frozenset[str]:
    """The folded stop words (engines pass the same tuple every time: folded once)."""
    return _folded_stop(tuple(stop_words))


def meaningful_terms(doc: Mapping[str, Any], stop_words: Collection[str]) -> dict[str, float]:
    """Weighted meaningful terms of a document (see the module docstring)."""
    return dict(_described(doc, stop_words)[0])


def _described(
    doc: Mapping[str, Any], stop_words: Collection[str]
) -> tuple[dict[str, float], float]:
    """A document's weighted terms and the sum of their squares (do not change them:
    they are shared by every page that ranks this document)."""
    keywords = tuple(k for k in doc.get("keywords") or [] if isinstance(k, str))
    return _terms(doc.get("title") or "", keywords, doc.get("summary") or "", _stop(stop_words))


@lru_cache(maxsize=4096)  # the candidates of recent pages: ranking them again costs a lookup
def _terms(
    title: str, keywords: tuple[str, ...], summary: str, stop: frozenset[str]
) -> tuple[dict[str, float], float]:
    terms: defaultdict[str, float] = defaultdict(float)
    for text in [title, *keywords]:
        for term in [*_pairs(text, stop), *_foreign(text)]:
            terms[term] += TITLE_WEIGHT
    for keyword in keywords:
        folded = " ".join(fold(w) for w in tokenize(keyword))
        if folded and folded not in GENERIC_PAIRS and folded not in stop:
            terms["kw:" + folded] += TITLE_WEIGHT
    for term in [*_pairs(summary, stop), *_foreign(summary)]:
        terms[term] += 1.0
    found = dict(terms)
    return found, sum(v * v for v in found.values())


def share(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two weighted term sets (0 … 1)."""
    return _share(a, sum(v * v for v in a.values()), b, sum(v * v for v in b.values()))


def _share(
    a: Mapping[str, float], a_squares: float, b: Mapping[str, float], b_squares: float
) -> float:
    common = set(a) & set(b)
    if not common:
        return 0.0
    dot = sum(a[t] * b[t] for t in common)
    return dot / math.sqrt(a_squares * b_squares)


def rank_similar(
    source: Mapping[str, Any],
    candidates: Iterable[Mapping[str, Any]],
    stop_words: Collection[str],
    limit: int,
    min_share: float = MIN_SHARE,
) -> list[tuple[float, dict[str, Any]]]:
    """Candidates at least ``min_share`` alike, most alike first (ties by id)."""
    mine, mine_squares = _described(source, stop_words)
    scored = []
    for doc in candidates:
        if doc.get("id") == source.get("id"):
            continue
        score = _share(mine, mine_squares, *_described(doc, stop_words))
        if score >= min_share:
            scored.append((score, dict(doc)))
    scored.sort(key=lambda sd: (-sd[0], str(sd[1].get("id"))))
    return scored[:limit]


def similar_query_words(
    doc: Mapping[str, Any], stop_words: Collection[str], most: int
) -> list[str]:
    """Words (folded, no stop words) to fetch candidates with: title and
    keywords first, then the summary's, at most ``most``."""
    stop = _stop(stop_words)
    texts = [doc.get("title") or "", *(doc.get("keywords") or []), doc.get("summary") or ""]
    words = dict.fromkeys(f for t in texts for f in map(fold, tokenize(t)) if f not in stop)
    return list(words)[:most]


def _matches_prefix(text: str, typed: Sequence[str]) -> bool:
    words = [fold(w) for w in tokenize(text)]
    return all(w in words for w in typed[:-1]) and any(w.startswith(typed[-1]) for w in words)


def rank_suggestions(prefix: str, docs: Iterable[Mapping[str, Any]], limit: int) -> list[str]:
    """Completions from the titles and keywords of ``docs`` (in the engine's
    order): titles whose folded form starts with the folded prefix first,
    then such keywords, then titles and keywords holding the typed words
    elsewhere, then titles the engine found through a synonym or a typo."""
    typed = [fold(w) for w in tokenize(prefix)]
    if not typed:
        return []
    start = " ".join(typed)
    classes: list[list[str]] = [[], [], [], [], []]
    for doc in docs:
        title = doc.get("title") or ""
        keywords = [k for k in doc.get("keywords") or [] if isinstance(k, str)]
        found = False
        for kind, text in [("title", title), *(("keyword", k) for k in keywords)]:
            if not text or not _matches_prefix(text, typed):
                continue
            found = True
            begins = " ".join(fold(w) for w in tokenize(text)).startswith(start)
            classes[(0 if begins else 2) if kind == "title" else (1 if begins else 3)].append(text)
        if not found and title:
            classes[4].append(title)
    out: list[str] = []
    seen: set[str] = set()
    for text in (t for c in classes for t in c):
        if text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
    return out[:limit]
