import pytest

from govie.normalize import NormalizationError, normalize

CASES = [
    # span, value, unit, approximate  (examples from ANNOTATION.md and the seeds)
    ("57194条", 57194, "条", False),
    ("93人", 93, "人", False),
    ("800余人次", 800, "人次", True),
    ("13000多条", 13000, "条", True),
    ("1.03万人次", 10300, "人次", False),
    ("2543.19万元", 25431900, "元", False),
    ("4.66億元", 466000000, "元", False),
    ("98.07%", 98.07, "%", False),
    ("100%", 100, "%", False),
    ("38个", 38, "个", False),
    ("二十六件", 26, "件", False),
    ("一百零八人", 108, "人", False),
    ("5期", 5, "期", False),
    ("49", 49, None, False),
    ("1,234件", 1234, "件", False),
    ("１２３件", 123, "件", False),
    ("12.5％", 12.5, "%", False),
    ("六个百分点", 6, "个百分点", False),
    ("百分之九十", 90, "%", False),
    ("5万余人", 50000, "人", True),
    ("10个以上", 10, "个", True),
    ("3.5亿元", 350000000, "元", False),
    ("兩萬份", 20000, "份", False),
    ("12個", 12, "个", False),
    ("394432.52元", 394432.52, "元", False),
    ("20余万元", 200000, "元", True),          # multiplier after the approximation suffix (#13 mutant)
    ("5万多人", 50000, "人", True),
    ("1.5亿余元", 150000000, "元", True),
]


@pytest.mark.parametrize("span,value,unit,approx", CASES)
def test_normalize(span, value, unit, approx):
    n = normalize(span)
    assert n.value == value and type(n.value) is type(value)
    assert n.unit == unit
    assert n.approximate is approx


@pytest.mark.parametrize("bad", ["", "条", "abc", "   "])
def test_normalize_rejects_non_numbers(bad):
    with pytest.raises(NormalizationError):
        normalize(bad)


# --------------------------------------------------------------------------- mutation survivors (#13)
def test_a_chinese_numeral_is_bounded_by_max_digits_like_an_arabic_one():
    # the bound held for Arabic digits only: a Chinese numeral of more digits was rounded to a wrong
    # value at the 100-digit precision (一亿…亿零一 with thirteen 亿 gave 10**104, losing the 1)
    forty = "一二三四五六七八九零" * 4
    assert normalize(forty + "件").value == int("1234567890" * 4)
    with pytest.raises(NormalizationError):
        normalize("1" * 41 + "件")
    with pytest.raises(NormalizationError):
        normalize(forty + "一件")
    with pytest.raises(NormalizationError):
        normalize("一" + "亿" * 13 + "零一件")
    assert normalize("一亿亿零一件").value == 10 ** 16 + 1
