from portal.web.collation import pinyin_key


def test_chinese_names_sort_by_pinyin_not_code_point():
    names = ["周海燕", "傅强", "刘芳", "吴磊", "安娜", "Zoe", "李明", "李敏"]
    assert sorted(names, key=pinyin_key) == [
        "安娜",
        "傅强",
        "李敏",  # li min, then li ming
        "李明",
        "刘芳",
        "吴磊",
        "周海燕",  # zhou before zoe
        "Zoe",
    ]
    assert sorted(names) != sorted(names, key=pinyin_key)
