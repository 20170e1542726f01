"""Names folded for search: case, accents, and the letters Unicode does not decompose.

NFKD splits "ó" into "o" and a combining accent (dropped), but leaves letters such
as Ł, Ø, ß, Æ whole; they are spelled out from a table, as a reader of Latin
script would type them ("Łódź" → "lodz", "Ørsted" → "orsted", "Straße" →
"strasse"). What is neither letter nor digit separates words. A query is folded
the same way, and a query word matches when it begins a word of the name.

Some letters are typed two ways: "Ørsted" as "orsted" or "oersted", "Müller" as
"muller" or "mueller", "Ærø" as "aero" or "aeroe". A name is indexed under both
spellings of each such word (``index_words``).
"""

from __future__ import annotations

import unicodedata

_SPELLED = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
        "Ħ": "h",
        "ŀ": "l",
        "Ŀ": "l",
        "ŧ": "t",
        "Ŧ": "t",
        "ĸ": "k",
        "ŋ": "n",
        "Ŋ": "n",
    }
)
# The second spelling of letters typed two ways (the first is the table above or NFKD's).
_EXPANDED = str.maketrans(
    {
        "ø": "oe",
        "Ø": "oe",
        "ö": "oe",
        "Ö": "oe",
        "ä": "ae",
        "Ä": "ae",
        "ü": "ue",
        "Ü": "ue",
        "å": "aa",
        "Å": "aa",
    }
)
MAX_QUERY_WORDS = 16


def fold(text: str) -> str:
    """``text`` in lower-case ASCII letters and digits where it can be, words separated by
    single spaces."""
    spelled = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    kept = []
    for char in spelled:
        if unicodedata.combining(char):
            continue
        char = char.casefold()
        kept.append(char if char.isalnum() else " ")
    return " ".join("".join(kept).translate(_SPELLED).split())


def words(text: str) -> list[str]:
    """The folded words of ``text``, each once, in order."""
    return list(dict.fromkeys(fold(text).split()))


def index_words(name: str) -> list[str]:
    """The words a name is found by: its folded words and, where a letter is typed two
    ways, the other spelling too."""
    expanded = unicodedata.normalize("NFC", name).translate(_EXPANDED)
    return list(dict.fromkeys(fold(name).split() + fold(expanded).split()))


def matches(query_words: list[str], folded_name: str) -> bool:
    """Each query word begins some word of the (folded) name."""
    name_words = folded_name.split()
    return all(any(w.startswith(q) for w in name_words) for q in query_words)


def same_name(first: str, second: str) -> bool:
    """Whether two names are the same but for case, accents and the two ways some letters
    are typed ("Müller" and "MUELLER", "Łódź" and "Lodz")."""
    return bool(_spellings(first) & _spellings(second))


def _spellings(name: str) -> set[str]:
    return {fold(name), fold(unicodedata.normalize("NFC", name).translate(_EXPANDED))}
