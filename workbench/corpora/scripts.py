"""Writing systems: ISO 15924 script codes and names, right-to-left scripts, script detection from text.

Corpus-independent: :mod:`~workbench.corpora.udhr` uses :func:`detect_script` to name the script of a
declaration whose code and language tag do not, and :mod:`~workbench.corpora.languages` uses the names
and the RTL set to describe a language when FLORES' side files are absent.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Literal

Direction = Literal["ltr", "rtl"]
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Samr", "Mand"})

# Unicode character-name prefix -> (ISO 15924 code, script name); used to detect a text's script.
_UNICODE_SCRIPTS: dict[str, tuple[str, str]] = {
    "LATIN": ("Latn", "Latin"),
    "CYRILLIC": ("Cyrl", "Cyrillic"),
    "GREEK": ("Grek", "Greek"),
    "ARABIC": ("Arab", "Arabic"),
    "HEBREW": ("Hebr", "Hebrew"),
    "ARMENIAN": ("Armn", "Armenian"),
    "GEORGIAN": ("Geor", "Georgian"),
    "DEVANAGARI": ("Deva", "Devanagari"),
    "BENGALI": ("Beng", "Bengali"),
    "GURMUKHI": ("Guru", "Gurmukhi"),
    "GUJARATI": ("Gujr", "Gujarati"),
    "ORIYA": ("Orya", "Odia"),
    "TAMIL": ("Taml", "Tamil"),
    "TELUGU": ("Telu", "Telugu"),
    "KANNADA": ("Knda", "Kannada"),
    "MALAYALAM": ("Mlym", "Malayalam"),
    "SINHALA": ("Sinh", "Sinhala"),
    "THAI": ("Thai", "Thai"),
    "LAO": ("Laoo", "Lao"),
    "TIBETAN": ("Tibt", "Tibetan"),
    "MYANMAR": ("Mymr", "Burmese"),
    "KHMER": ("Khmr", "Khmer"),
    "ETHIOPIC": ("Ethi", "Ethiopic"),
    "HANGUL": ("Hang", "Hangul"),
    "CJK": ("Hani", "Han"),
    "HIRAGANA": ("Jpan", "Japanese"),
    "KATAKANA": ("Jpan", "Japanese"),
    "TIFINAGH": ("Tfng", "Tifinagh"),
    "OL": ("Olck", "Ol Chiki"),
    "CHEROKEE": ("Cher", "Cherokee"),
    "CANADIAN": ("Cans", "Canadian Syllabics"),
    "MONGOLIAN": ("Mong", "Mongolian"),
    "THAANA": ("Thaa", "Thaana"),
    "SYRIAC": ("Syrc", "Syriac"),
    "NKO": ("Nkoo", "N'Ko"),
    "ADLAM": ("Adlm", "Adlam"),
    "VAI": ("Vaii", "Vai"),
    "YI": ("Yiii", "Yi"),
    "JAVANESE": ("Java", "Javanese"),
    "BALINESE": ("Bali", "Balinese"),
    "TAI": ("Lana", "Tai Tham"),
    "GRANTHA": ("Gran", "Grantha"),
    "TAGALOG": ("Tglg", "Tagalog"),
    "BUGINESE": ("Bugi", "Buginese"),
    "SUNDANESE": ("Sund", "Sundanese"),
    "BAMUM": ("Bamu", "Bamum"),
    "COPTIC": ("Copt", "Coptic"),
    "CHAKMA": ("Cakm", "Chakma"),
}
_SCRIPT_NAMES = {code: name for code, name in _UNICODE_SCRIPTS.values()} | {
    "Hans": "Chinese (Simp.)",
    "Hant": "Chinese (Trad.)",
}


def detect_script(text: str) -> str:
    """The ISO 15924 code of the script most letters of ``text`` are written in (``Zyyy`` if none).

    Kana anywhere in Han text makes it Japanese (``Jpan``).

    >>> detect_script("Türkçe metin"), detect_script("مرحبا"), detect_script("日本語のテキスト")
    ('Latn', 'Arab', 'Jpan')
    """
    counts: Counter[str] = Counter()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            prefix = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            counts[_UNICODE_SCRIPTS.get(prefix, ("Zyyy", ""))[0]] += 1
    if not counts:
        return "Zyyy"
    if counts["Jpan"] and counts["Hani"]:
        return "Jpan"
    return counts.most_common(1)[0][0]
