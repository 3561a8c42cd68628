import subprocess
import sys

from portal.accounts.models import Person
from portal.web.collation import pinyin_spelling


def test_chinese_names_sort_by_pinyin_not_code_point():
    names = ["周海燕", "傅强", "刘芳", "吴磊", "安娜", "Zoe", "李明", "李敏"]
    people = [Person(id=number, name=name) for number, name in enumerate(names)]
    assert [person.name for person in sorted(people, key=Person.name_order)] == [
        "安娜",
        "傅强",
        "李敏",  # li min, then li ming
        "李明",
        "刘芳",
        "吴磊",
        "周海燕",  # zhou before zoe
        "Zoe",
    ]
    assert sorted(names) != [person.name for person in sorted(people, key=Person.name_order)]


def test_a_surname_is_read_as_a_surname():
    assert pinyin_spelling("单秀英") == ("shanxiuying", "sxy")  # 单 alone reads dan
    assert pinyin_spelling("曾国华") == ("zengguohua", "zgh")
    assert pinyin_spelling("解放") == ("xiefang", "xf")
    assert pinyin_spelling("区志强") == ("ouzhiqiang", "ozq")
    assert pinyin_spelling("长青") == ("changqing", "cq")
    assert pinyin_spelling("欧阳长青") == ("ouyangchangqing", "oycq")
    assert pinyin_spelling("尉迟敬") == ("yuchijing", "ycj")


def test_the_surname_is_read_apart_from_the_given_name():
    assert pinyin_spelling("行长青") == ("xingchangqing", "xcq")  # not 行长, hang zhang
    assert pinyin_spelling("重建国") == ("chongjianguo", "cjg")
    assert pinyin_spelling("王长青") == ("wangchangqing", "wcq")


def test_names_in_latin_letters_and_blank_names():
    assert pinyin_spelling("Li Na") == ("lina", "ln")
    assert pinyin_spelling(" Zoe ") == ("zoe", "z")
    assert pinyin_spelling("   ") == ("", "")


def test_the_dictionaries_are_loaded_only_to_spell_a_name():
    code = (
        "import sys; from portal import create_app; create_app(); "
        "assert 'pypinyin' not in sys.modules; "
        "from portal.web.collation import pinyin_spelling; pinyin_spelling('王芳'); "
        "assert 'pypinyin' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
