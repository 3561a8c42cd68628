"""People's names in the order Chinese readers look for them: by pinyin, as a phone's contact list
sorts them, not by code point (which puts 傅 before 刘 before 吴 before 周)."""

import re

from pypinyin import Style, lazy_pinyin

_NOT_A_LETTER = re.compile(r"[^a-z0-9]")


def pinyin_key(name: str) -> tuple[str, str]:
    """A sort key for name: its pinyin with tone numbers (li3 before li4), then name itself, so
    that two names read alike keep one order. Latin letters sort among the pinyin."""
    return " ".join(lazy_pinyin(name, style=Style.TONE3)).lower(), name


def pinyin_spelling(name: str) -> tuple[str, str]:
    """How name is typed to find it: its pinyin without tones or spaces, and the first letter of
    each syllable: 王芳 is ("wangfang", "wf"); Latin names count word by word (Li Na: "lina", "ln")."""
    words = [word for part in lazy_pinyin(name.strip()) for word in part.lower().split()]
    letters = [spelled for word in words if (spelled := _NOT_A_LETTER.sub("", word))]
    return "".join(letters), "".join(word[0] for word in letters)
