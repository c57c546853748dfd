"""Normalization of raw page text and the ok/empty/garbled judgement."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from indexer.models import EMPTY, GARBLED, OK
from indexer.normalize import classify_quality, document_words, normalize_text

ENGLISH = (
    "The Congressional Research Service works exclusively for the United States Congress, "
    "providing policy and legal analysis to committees and Members of both the House and "
    "Senate, regardless of party affiliation. "
)


def test_ligatures_become_letters():
    assert normalize_text("ﬁnance and eﬃcient ﬂows") == "finance and efficient flows"


def test_hyphen_at_line_break_joined_when_the_word_is_known():
    words = document_words(["the international order"])
    assert normalize_text("inter-\nnational law", words) == "international law"


def test_real_hyphens_survive_line_breaks():
    words = document_words(["by Caitlin Keating-Bitonti", "a well known fact"])
    assert normalize_text("Keating-\nBitonti", words) == "Keating-Bitonti"
    assert normalize_text("a well-\nknown fact", words) == "a well-known fact"


def test_hyphen_inside_a_line_is_untouched():
    words = document_words(["wellknown"])
    assert normalize_text("a well-known fact", words) == "a well-known fact"


def test_soft_hyphen_joins_and_disappears():
    assert normalize_text("inter\u00ad\nnational and co\u00adoperation") == (
        "international and cooperation"
    )


def test_document_words_are_lower_case_and_nfkc():
    assert document_words(["The ﬁnal Word", "Слово"]) >= {"the", "final", "word", "слово"}


def test_whitespace_collapses_to_one_line():
    assert normalize_text("  one\n\ntwo\t three \r\n four  ") == "one two three four"


def test_control_characters_are_removed_but_letters_of_every_script_kept():
    raw = "Привет\x03мир\x00 中文文本 نص عربي \ue000 ok\ufffd \u200bzero\u200e"
    assert normalize_text(raw) == "Привет мир 中文文本 نص عربي ok zero"


def test_persian_zero_width_non_joiner_is_kept():
    assert normalize_text("می\u200cخواهم") == "می\u200cخواهم"


def test_quality_of_real_text_is_ok():
    assert classify_quality(ENGLISH) == OK
    assert classify_quality("Федеральная служба по техническому и экспортному контролю") == OK
    assert classify_quality("东北电气发展股份有限公司 2018 年第一季度报告全文") == OK


def test_number_heavy_table_is_ok():
    table = "\n".join(
        f"Table {n} 1,{n}00 2,{n}50 35% $56,631 + 35% of the amount" for n in range(30)
    )
    assert classify_quality(table) == OK


def test_table_of_contents_with_dotted_leaders_is_ok():
    toc = "\n".join(f"Chapter {n} Overview {'.' * 80} {n}" for n in range(20))
    assert classify_quality(toc) == OK


def test_nothing_or_almost_nothing_is_empty():
    assert classify_quality("") == EMPTY
    assert classify_quality("  \n \n ") == EMPTY
    assert classify_quality("12\n") == EMPTY
    assert classify_quality("• • • —— ** ") == EMPTY


def test_latin_mojibake_with_control_characters_is_garbled():
    raw = (
        "ML<?J@>?GU \nijbdZahf\x03NKLWD\x03Jhkkbb \nhl\x03\x14\x14\x03n_\\jZey\x03\x15\x13\x14\x16 "
        "Lj_[h\\Zgby \nh\x03aZsbl_\x03bgnhjfZpbb\x0f\x03g_\x03khklZ\\eyxs_c\x03]hkm^Zjkl\\_ggmx "
    ) * 6
    assert classify_quality(raw) == GARBLED


def test_latin_mojibake_without_control_characters_is_garbled():
    raw = (
        "GZklhysb_ Lj_[h\\Zgby fh]ml ijbf_gylvky ^ey aZsblu h[s_^hklmighc bgnhjfZpbb "
        "kh^_j'Zs_cky \\ ]hkm^Zjkl\\_gguo bgnhjfZpbhgguo kbkl_fZo ^ey ^hklb'_gby p_e_c "
    ) * 5
    assert classify_quality(raw) == GARBLED


def test_good_text_with_a_garbled_table_is_still_ok():
    table = "GZklhysb_ Lj_[h\\Zgby fh]ml ijbf_gylvky ^ey aZsblu h[s_^hklmighc bgnhjfZpbb\n"
    assert classify_quality(ENGLISH * 8 + table * 6) == OK


def test_letters_scattered_over_unrelated_scripts_are_garbled():
    raw = "ୈ ೋ ୈ Ұ ߲ ͷ ද ͷ ੨ ৭ ͷ ౮ Ր ͷ ߲ ୈ ࡾ ߸ தủ ؚ ΉỐỜỨ Λủ ؚ Ή ੨ ৭ ͷ ౮ Ր ͷ ҹ ͷ ߲ Λ আ ͖ỏ Ҏ Լ" * 3
    assert classify_quality(raw) == GARBLED


def test_cyrillic_read_through_a_western_code_page_is_garbled():
    russian = "Требования о защите информации, не составляющей государственную тайну. " * 4
    assert classify_quality(russian.encode("cp1251").decode("cp1252")) == GARBLED


def test_private_use_and_replacement_characters_are_garbled():
    symbol_font = "".join(chr(0xF000 + ord(c)) for c in ENGLISH)
    assert classify_quality(symbol_font) == GARBLED
    assert classify_quality("Th\ufffd qu\ufffdck br\ufffdwn f\ufffdx " * 10) == GARBLED


def test_heavily_accented_languages_and_links_are_ok():
    vietnamese = "Tiếng Việt là ngôn ngữ của người Việt và là ngôn ngữ chính thức tại Việt Nam. "
    assert classify_quality(vietnamese * 4) == OK
    links = "See https://www.congress.gov/bill?q=%7B%22search%22_x%7D and a.b@crs.loc.gov. "
    assert classify_quality(links * 10 + ENGLISH) == OK


def test_symbol_soup_is_garbled():
    assert classify_quality("§¤¶ ©®° ±×÷ ¢£¥ ◊◊ ⌂⌂ ♠♣ ♥♦ a1 " * 12) == GARBLED


# --- properties ---------------------------------------------------------------------------

# Pieces of text, so that hyphens at line breaks and known words come up often.
pieces = st.one_of(
    st.text(),  # any characters, control and unassigned ones included
    st.sampled_from(["-\n", "\u00ad\n", "ﬁ", "\n", " ", "\t", "inter", "national", "¨"]),
)
texts = st.lists(pieces, max_size=12).map("".join)


def _visible(raw: str) -> bool:
    """Whether raw holds a character normalization must keep (printable, not a space)."""
    return any(c.isprintable() and not c.isspace() and c != "\ufffd" for c in raw)


@given(texts, st.frozensets(st.sampled_from(["international", "fi", "nter"])))
def test_normalizing_twice_changes_nothing(raw, words):
    once = normalize_text(raw, words)
    assert normalize_text(once, words) == once


@given(texts)
def test_output_is_one_clean_line(raw):
    out = normalize_text(raw, frozenset({"international"}))
    assert out == out.strip()
    assert "  " not in out
    assert not any(c in out for c in "\n\r\t\u00ad")
    assert not any(unicodedata.category(c) in ("Cc", "Co", "Cs", "Cn") for c in out)


@given(texts)
def test_output_is_empty_only_when_input_shows_nothing(raw):
    assert bool(normalize_text(raw)) == _visible(raw)


@given(texts)
def test_quality_is_always_one_of_the_flags(raw):
    assert classify_quality(raw) in (OK, EMPTY, GARBLED)
