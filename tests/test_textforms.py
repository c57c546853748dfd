"""The display form (as printed) and the match form (what a searcher types) of page text."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from indexer.textforms import (
    APOSTROPHES,
    clean_line,
    compounds,
    display_text,
    finish_display,
    fold_query,
    join_lines,
    match_form,
)


def display(raw: str, elsewhere: str = "") -> str:
    """The display form of `raw`, with `elsewhere` as the rest of the document."""
    return display_text(raw, compounds(elsewhere.splitlines() + raw.splitlines()))


def test_ligature_code_points_are_split_into_letters():
    assert display("ﬁnance and eﬃcient ﬂows") == "finance and efficient flows"


def test_printed_characters_stay_as_printed():
    text = "Приказ № 17 营业收入（元） x² café “quoted” ‘single’ don’t"
    assert display(text) == text


def test_a_word_hyphenated_at_a_line_end_is_joined_even_if_it_occurs_once():
    assert display("aerial reconnais-\nsance flights") == "aerial reconnaissance flights"


def test_a_hyphen_before_a_capital_stays():
    assert display("by Caitlin Keating-\nBitonti") == "by Caitlin Keating-Bitonti"


def test_a_compound_printed_whole_elsewhere_keeps_its_hyphen():
    assert display("a well-\nknown fact", elsewhere="a well-known author") == "a well-known fact"
    assert display("a well-\nknown fact") == "a wellknown fact"


def test_a_hyphen_inside_a_line_or_a_url_is_untouched():
    assert display("a well-known fact") == "a well-known fact"
    raw = "see https://example.org/strategic-investment-\nkorea-zinc now"
    assert display(raw) == "see https://example.org/strategic-investment-korea-zinc now"


def test_chinese_and_japanese_lines_join_without_a_space():
    assert join_lines(["东北电气发展股份有限公司 2018 年第一季度", "报告全文"]) == (
        "东北电气发展股份有限公司 2018 年第一季度报告全文"
    )
    assert join_lines(["第", "二", "条", "中「", "含", "む。）」"]) == "第二条中「含む。）」"
    # A space stays between other scripts, and between CJK and them.
    assert join_lines(["季度", "report", "年"]) == "季度 report 年"
    assert join_lines(["한국", "경제"]) == "한국 경제"  # Korean puts spaces between words


def test_soft_hyphen_joins_and_disappears():
    assert display("inter\u00ad\nnational and co\u00adoperation") == "international and cooperation"


def test_whitespace_collapses_to_one_line():
    assert display("  one\n\ntwo\t three \r\n four  ") == "one two three four"


def test_control_characters_are_removed_but_letters_of_every_script_kept():
    raw = "Привет\x03мир\x00 中文文本 نص عربي \ue000 ok\ufffd \u200bzero\u200e"
    assert display(raw) == "Привет мир 中文文本 نص عربي ok zero"


def test_persian_zero_width_non_joiner_is_kept():
    assert display("می\u200cخواهم") == "می\u200cخواهم"


def test_letter_spaced_words_are_marked_within_one_line_only():
    text, spans = finish_display(join_lines([clean_line("П Р И К А З Ы В А Ю  :")]))
    assert text == "П Р И К А З Ы В А Ю :"
    assert spans == [[0, 19]]
    assert match_form(text, spans).text == "приказываю :"
    # Three letters are initials or a list, not a letter-spaced word; a line break ends a run.
    assert finish_display(join_lines([clean_line("A B C")]))[1] == []
    assert finish_display(join_lines([clean_line("a b"), clean_line("c d")]))[1] == []
    # Words of a letter-spaced heading are set apart by wider gaps: they stay words.
    text, spans = finish_display(join_lines([clean_line("Р Е Ш Е Н И Е   П Р И К А З")]))
    assert match_form(text, spans).text == "решение приказ"


def test_match_form_folds_what_nobody_types():
    assert match_form("№ 17").text == "no 17"
    assert match_form("営業（元）").text == "営業(元)"
    assert match_form("Ёлка STRASSE Straße").text == "елка strasse strasse"
    assert match_form("мʼясо м’ясо м'ясо").text == "м'ясо м'ясо м'ясо"
    assert match_form("“quoted” don’t").text == "“quoted” don't"


def test_match_offsets_map_to_the_printed_characters():
    text = "Приказ № 17 и Straße"
    match = match_form(text)
    start = match.text.index("no 17")
    assert text[slice(*match.display_span(start, start + 5))] == "№ 17"
    start = match.text.index("strasse")
    assert text[slice(*match.display_span(start, start + 7))] == "Straße"


def test_queries_fold_like_pages_but_keep_operators():
    assert fold_query("№ 17 AND Ёлка OR мʼясо") == "No 17 AND Елка OR м'ясо"


# --- properties ---------------------------------------------------------------------------

pieces = st.one_of(
    st.text(),  # any characters, control and unassigned ones included
    st.sampled_from(["-\n", "\u00ad\n", "ﬁ", "\n", " ", "\t", "inter", "national", "¨", "№"]),
    st.sampled_from(["ß", "Ё", "’", "e\u0301", "İ", "ﬃ", "（", "Σ", " П Р И К А З ", "ǅ"]),
)
texts = st.lists(pieces, max_size=12).map("".join)


def _visible(raw: str) -> bool:
    return any(c.isprintable() and not c.isspace() and c != "\ufffd" for c in raw)


@given(texts)
def test_display_is_one_clean_line(raw):
    out = display(raw)
    assert out == out.strip()
    assert "  " not in out
    assert not any(c in out for c in "\n\r\t\u00ad")
    assert not any(unicodedata.category(c) in ("Cc", "Co", "Cs", "Cn") for c in out)
    assert bool(out) == _visible(raw)


@given(texts)
def test_display_changes_nothing_the_second_time(raw):
    once = display(raw)
    assert display(once) == once


def _plain(text: str) -> str:
    """Without spaces (letter-spaced words), apostrophes (folded by their context) and
    combining marks (NFKC moves them between neighbours: "¨" is " " + U+0308)."""
    plain = unicodedata.normalize("NFD", text)
    return "".join(
        c
        for c in plain
        if c != " " and c not in APOSTROPHES and not unicodedata.category(c).startswith("M")
    )


@given(texts)
def test_offset_maps_round_trip(raw):
    text, spans = finish_display(join_lines([clean_line(line) for line in raw.splitlines()]))
    match = match_form(text, spans)
    assert match.display_span(0, len(match.text))[1] <= len(text)
    previous = (0, 0)
    for start in range(len(match.text) + 1):
        assert match.display_span(start, start)[0] >= previous[0]  # monotonic
        previous = match.display_span(start, start)
        for end in range(start, min(start + 4, len(match.text)) + 1):
            d_start, d_end = match.display_span(start, end)
            assert 0 <= d_start <= d_end <= len(text)
            if start < end:
                # The printed characters fold back to at least the matched ones.
                refolded = _plain(match_form(text[d_start:d_end]).text)
                assert _plain(match.text[start:end]) in refolded
