"""People's names in the order Chinese readers look for them: by pinyin, as a phone's contact list
sorts them, not by code point (which puts 傅 before 刘 before 吴 before 周)."""

from pypinyin import Style, lazy_pinyin


def pinyin_key(name: str) -> tuple[str, str]:
    """A sort key for name: its pinyin with tone numbers (li3 before li4), then name itself, so
    that two names read alike keep one order. Latin letters sort among the pinyin."""
    return " ".join(lazy_pinyin(name, style=Style.TONE3)).lower(), name
