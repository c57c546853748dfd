"""The ok/empty/garbled judgement of raw page text."""

from hypothesis import given
from hypothesis import strategies as st

from indexer.models import EMPTY, GARBLED, OK
from indexer.normalize import classify_quality

ENGLISH = (
    "The Congressional Research Service works exclusively for the United States Congress, "
    "providing policy and legal analysis to committees and Members of both the House and "
    "Senate, regardless of party affiliation. "
)


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


def test_two_byte_text_read_a_byte_at_a_time_is_garbled():
    # pypdf reads some fonts' ToUnicode maps so (fpdf2's CJK fonts); PDFium reads them right.
    text = "安徽省建设用地使用标准规定了停车区用地指标基准值和调整系数，季度报告已经发布。"
    assert classify_quality("".join("\x00" + ch for ch in text)) == GARBLED
    assert classify_quality(text + "\x00") == OK  # one NUL is no sign of it


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

# Spaces, control characters and punctuation only: nothing a reader could quote.
NO_WORDS = st.text(alphabet=st.characters(categories=["Zs", "Cc", "Pd", "Po", "Ps", "Pe"]))


@given(NO_WORDS)
def test_text_without_words_is_empty(raw):
    assert classify_quality(raw) == EMPTY


@given(st.lists(st.sampled_from([" ", "\n", "  ", " \n "]), min_size=30, max_size=30))
def test_how_words_are_spaced_or_broken_into_lines_does_not_matter(separators):
    words = ENGLISH.split() * 2
    text = "".join(w + separators[i % 30] for i, w in enumerate(words))
    assert classify_quality(text) == OK
