"""Which words are Vietnamese syllables: typo correction must leave them alone.

Vietnamese is written one syllable per word, and the set of syllables is
closed: every syllable is an optional initial consonant followed by a rhyme
(an optional medial ``o``/``u``, a vowel nucleus and an optional final
consonant or semivowel), and then one of six tones.  A word that is such a
syllable is a real word somewhere (``gai`` is gai/gái/gài/gãi), so it is
never "corrected" into another one; only words that cannot be Vietnamese
(``truog``, ``platfrom``, ``blokchain``) are typo candidates.

Source: the initial consonants and rhymes of the Vietnamese national script
(chữ Quốc ngữ) as tabulated in Đoàn Thiện Thuật, *Ngữ âm tiếng Việt* (NXB Đại
học Quốc gia Hà Nội, 1977/2003), chapters on "âm đầu" (22 initials, written
with 27 spellings) and "vần" (about 155 rhymes); the rhymes below are their
spellings with tone and vowel marks removed, plus the rhymes of common
loanwords (``oong``: boong, xoong; ``oóc``) and of the Central Highlands'
place names written with a final ``k`` (Đắk Lắk, Krông Búk).  The set is generated as
initials × rhymes, in the folded form (no marks, ``đ → d``), which is the
form the index compares.  It over-generates a little (``ngha``), never
under-generates a real syllable: tests/search/test_syllables.py checks every
syllable of the project's Vietnamese texts.  About 3,000 folded forms.
"""

from __future__ import annotations

from search.text import fold

INITIALS = (
    "",
    "b",
    "c",
    "ch",
    "d",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
)

# Rhymes, folded (ă, â → a; ê → e; ô, ơ → o; ư → u; iê/yê → ie/ye; uô/ươ → uo).
RHYMES = tuple(
    [
        "a",
        "ac",
        "ach",
        "ai",
        "am",
        "an",
        "ang",
        "anh",
        "ao",
        "ap",
        "at",
        "au",
        "ay",
        "e",
        "ec",
        "ech",
        "em",
        "en",
        "eng",
        "enh",
        "eo",
        "ep",
        "et",
        "eu",
        "i",
        "ia",
        "ich",
        "im",
        "in",
        "inh",
        "ip",
        "it",
        "iu",
        "iec",
        "iem",
        "ien",
        "ieng",
        "iep",
        "iet",
        "ieu",
        "o",
        "oc",
        "oi",
        "om",
        "on",
        "ong",
        "op",
        "ot",
        "ooc",
        "oong",
        "u",
        "ua",
        "uc",
        "ui",
        "um",
        "un",
        "ung",
        "up",
        "ut",
        "uu",
        "uoc",
        "uoi",
        "uom",
        "uon",
        "uong",
        "uop",
        "uot",
        "uou",
        "y",
        "ya",
        "yen",
        "yet",
        "yeu",
        "ym",
        "yn",
        "oa",
        "oac",
        "oach",
        "oai",
        "oam",
        "oan",
        "oang",
        "oanh",
        "oao",
        "oap",
        "oat",
        "oay",
        "oe",
        "oec",
        "oen",
        "oeo",
        "oet",
        "uan",
        "uang",
        "uanh",
        "uat",
        "uay",
        "ue",
        "uech",
        "uen",
        "uenh",
        "uet",
        "uy",
        "uych",
        "uyn",
        "uynh",
        "uyp",
        "uyt",
        "uyu",
        "uya",
        "uyen",
        "uyet",
        "uau",
        "uai",
        "uam",
        "uap",
        "uyenh",
        "ak",
        "ek",
        "ok",
        "uk",
    ]
)


def _generate() -> frozenset[str]:
    out: set[str] = set()
    for initial in INITIALS:
        for rhyme in RHYMES:
            word = initial + rhyme
            if initial == "qu" and rhyme.startswith("u"):
                word = "qu" + rhyme[1:]  # qu + uân → quân (the u is written once)
            if initial == "gi" and rhyme.startswith("i"):
                out.add("g" + rhyme)  # gi + in → gìn, gi + iêng → giêng (written with one i)
            out.add(word)
    return frozenset(w for w in out if w)


SYLLABLES = _generate()


def is_syllable(word: str) -> bool:
    """True if ``word`` (with or without marks, any case) can be a Vietnamese syllable."""
    return fold(word) in SYLLABLES
