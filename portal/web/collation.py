"""People's names in the order Chinese readers look for them: by pinyin, as a phone's contact list
sorts them, not by code point (which puts 傅 before 刘 before 吴 before 周).

A name is read as a surname and a given name. Some characters read one way as a word and another as
a surname (单 is dan in 单独 and Shan in 单秀英), and a surname read together with the given name
can make a word it is not part of (行长 is hang zhang, "bank manager"; 行长青 is Xing Changqing)."""

import re

_NOT_A_LETTER = re.compile(r"[^a-z0-9]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Surnames read otherwise than the character alone, and two-character surnames, which are read as
# one; every other surname is the character's own first reading.
SURNAMES = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "乐": "yue",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "秘": "bi",
    "繁": "po",
    "召": "shao",
    "员": "yun",
    "种": "chong",
    "重": "chong",
    "折": "she",
    "翟": "zhai",
    "祭": "zhai",
    "句": "gou",
    "能": "nai",
    "宓": "fu",
    "隗": "wei",
    "黑": "he",
    "阚": "kan",
    "冼": "xian",
    "长": "chang",
    "欧阳": "ou yang",
    "司马": "si ma",
    "上官": "shang guan",
    "诸葛": "zhu ge",
    "东方": "dong fang",
    "皇甫": "huang fu",
    "尉迟": "yu chi",
    "公孙": "gong sun",
    "慕容": "mu rong",
    "长孙": "zhang sun",
    "宇文": "yu wen",
    "司徒": "si tu",
    "夏侯": "xia hou",
    "令狐": "ling hu",
    "澹台": "tan tai",
    "万俟": "mo qi",
    "端木": "duan mu",
    "南宫": "nan gong",
    "西门": "xi men",
    "呼延": "hu yan",
    "独孤": "du gu",
    "司空": "si kong",
    "申屠": "shen tu",
    "轩辕": "xuan yuan",
}


def syllables(name: str) -> list[str]:
    """name's pinyin, syllable by syllable and without tones, its surname read as a surname: 单秀英 is
    ["shan", "xiu", "ying"]. Latin letters and digits pass through as they are ("Li Na")."""
    # pypinyin's dictionaries take about 50 MB: imported here, a worker that never spells a name
    # (people's spellings are stored with them) never loads them.
    from pypinyin import lazy_pinyin

    name = name.strip()
    if not _HAN.match(name[:1]):
        return lazy_pinyin(name)
    surname = name[:2] if name[:2] in SURNAMES else name[:1]
    read = SURNAMES[surname].split() if surname in SURNAMES else lazy_pinyin(surname)
    return read + lazy_pinyin(name[len(surname) :])


def pinyin_spelling(name: str) -> tuple[str, str]:
    """How name is typed to find it and where it sorts: its pinyin without tones or spaces, and the
    first letter of each syllable: 王芳 is ("wangfang", "wf"); Latin names count word by word
    (Li Na: "lina", "ln")."""
    words = [word for part in syllables(name) for word in part.lower().split()]
    letters = [spelled for word in words if (spelled := _NOT_A_LETTER.sub("", word))]
    return "".join(letters), "".join(word[0] for word in letters)
