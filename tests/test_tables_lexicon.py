"""The table vocabulary as data (``govie/tables/lexicon.json``): the compiled defaults read what the
former regex constants read, a pipeline overrides a list through its config, bad data is a clear error."""
import pytest
import spacy

import govie  # noqa: F401  (registers the factories)
from govie.tables import Lexicon, default_lexicon, read_tables, scan_cells
from govie.tables.lexicon import default_lexicon_data


def units(s, lexicon=None):
    toks, _ = scan_cells(s, 0, len(s), lexicon=lexicon)
    return [(t.text, t.unit) for t in toks]


def test_default_header_words_match_with_blanks_and_the_year_pattern():
    lex = default_lexicon()
    assert lex.s08_header.search("指 标 名 称").group() == "指 标 名 称"
    weak = lex.s08_header.search("对照指标逐项")
    assert weak.group("weak") == "指标"
    assert lex.s08_header.search("统计指标").group("weak") is None
    for h in ("2016年度", "2016 年", "本 年 度", "统计数", "年末统计", "数量"):
        assert lex.s08_year_header.match(h), h
    assert not lex.s08_year_header.match("2016")
    assert lex.s08_unit_header.match("计 量 单 位").group() == "计 量 单 位"
    assert lex.s08_cumulative_header.match("历年 累计")


def test_units_are_read_longest_first_whatever_their_order():
    reordered = default_lexicon_data()
    reordered["cell_units"] = list(reversed(reordered["cell_units"]))
    reordered["row_units"] = list(reversed(reordered["row_units"]))
    lex = Lexicon.from_data(reordered)
    s = "35人次 88.6万元 12件"
    assert units(s, lex) == units(s) == [("35", "人次"), ("88.6", "万元"), ("12", "件")]
    assert lex.row_units.index("人次") < lex.row_units.index("人")


def test_unit_aliases_and_scales():
    lex = default_lexicon()
    assert lex.unit_of("萬元") == ("元", 10000) and lex.unit_of("％") == ("%", None)
    assert lex.unit_of("件", 10) == ("件", 10)
    lex = Lexicon.from_data({"unit_scales": {"千元": ["元", 1000]}, "cell_units": ["千元", "件"]})
    table = ("政府信息公开情况统计表\n指标\t单位\t统计数\n（一）收到申请数\t件\t41\n")
    assert [c.value for t in read_tables(table, lexicon=lex) for c in t.cells] == [41]
    assert units("3千元 2万元", lex) == [("3", "千元"), ("2", "")]
    assert lex.unit_of("千元") == ("元", 1000)


def test_a_unit_column_word_from_the_config_reads_a_2008_row():
    text = "政府信息公开情况统计表\n指标名称\t计量单位\t统计数\n（一）收到申请数\t宗\t41\n（二）行政复议数\t件\t2\n"
    nlp = spacy.blank("zh")
    nlp.add_pipe("govie_table_reader", config={"checks": False})
    doc = nlp(text)
    shipped = {k: v for k, v in doc._.quantity_info.items()}
    nlp2 = spacy.blank("zh")
    row_units = default_lexicon_data()["row_units"] + ["宗"]
    nlp2.add_pipe("govie_table_reader", config={"checks": False, "lexicon": {"row_units": row_units}})
    doc2 = nlp2(text)
    # the config changes only the list it names (deep merge): the other lists stay the shipped ones
    assert nlp2.config["components"]["govie_table_reader"]["lexicon"]["cell_units"] == \
        default_lexicon_data()["cell_units"]
    got = {text[int(k.split(":")[0]):int(k.split(":")[1])]: v[1] for k, v in doc2._.quantity_info.items()}
    assert got == {"41": "宗", "2": "件"}
    assert [v[1] for v in shipped.values()] == [None, "件"]


def test_bad_lexicon_data_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown table lexicon key"):
        Lexicon.from_data({"cell_unit": ["件"]})
    with pytest.raises(ValueError, match="list of non-empty strings"):
        Lexicon.from_data({"row_units": "件"})
    with pytest.raises(ValueError, match="list of non-empty strings"):
        Lexicon.from_data({"row_units": ["件", ""]})
    with pytest.raises(ValueError, match="must not be empty"):
        Lexicon.from_data({"cell_units": []})
    with pytest.raises(ValueError, match=r"\[unit, factor > 0\]"):
        Lexicon.from_data({"unit_scales": {"万元": 10000}})
    with pytest.raises(ValueError, match="mapping"):
        Lexicon.from_data({"unit_aliases": ["萬元"]})
    nlp = spacy.blank("zh")
    with pytest.raises(ValueError, match="unknown table lexicon key"):
        nlp.add_pipe("govie_table_reader", config={"lexicon": {"units": ["件"]}})


def test_a_float_scale_keeps_decimal_values():
    lex = Lexicon.from_data({"unit_scales": {"万元": ["元", 10000], "角": ["元", 0.1]}, "cell_units": ["角", "件"]})
    text = "政府信息公开情况统计表\n指标\t单位\t统计数\n（一）收到申请数\t件\t41\n（二）收费\t件\t3角\n"
    values = [(c.value, c.unit) for t in read_tables(text, lexicon=lex) for c in t.cells]
    assert values == [(41, "件"), (0.3, "元")]


def test_table_values_keep_the_first_cell_of_an_indicator():
    from govie.tables import Cell, Table

    t = Table("s08", 0, 10, cells=[Cell(0, 2, 41, "件", [], "s08.request.total"), Cell(3, 4, 7, None, [], None),
                                   Cell(5, 7, 40, "件", [], "s08.request.total"), Cell(8, 9, 2, None, [], "s08.x")])
    assert t.values() == {"s08.request.total": 41, "s08.x": 2}
