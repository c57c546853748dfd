"""Language and publisher guesses from page text."""

from __future__ import annotations

import pytest

from indexer.language import UND, page_language, report_language
from indexer.publishers import guess_publisher


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The committee reported that the program is funded by the states and the agency", "en"),
        ("Die Kommission hat nicht mit den Ländern gesprochen, und das ist auch ein Problem", "de"),
        ("Le comité a publié une note sur les sanctions et la politique des pays qui sont", "fr"),
        ("El informe de la comisión que se publicó para los países con una política común.", "es"),
        ("Федеральная служба по техническому и экспортному контролю утвердила требования.", "ru"),
        ("Міністерство оборони України повідомило про нові постачання їжі та техніки.", "uk"),
        ("Il comitato ha pubblicato una nota sulle sanzioni e sulla politica dei paesi.", "it"),
        ("Komisja nie opublikowała sprawozdania, ale to jest problem dla państw.", "pl"),
        ("安徽省建设用地使用标准规定了停车区用地指标基准值和调整系数。", "zh"),
        ("官報の号外として、法律の公布について次のとおり掲載する。", "ja"),
        ("نتائج الانتخابات التشريعية في دائرة مدنين حسب مكاتب الاقتراع", "ar"),
        # Too few letters, or too little to be sure of: undetermined.
        ("12 34 56", UND),
        ("", UND),
        ("BMD-4M 37 Il-76 2024", UND),
    ],
)  # fmt: skip
def test_page_language(text: str, lang: str) -> None:
    assert page_language(text) == lang


def test_report_language_is_its_most_common_page_language() -> None:
    assert report_language(["en", "ru", "ru", UND, UND, UND]) == "ru"
    assert report_language(["uk", "en"]) == "uk"  # among equals, the first page's
    assert report_language([UND, None]) is None
    assert report_language([]) is None


def test_publisher_from_the_imprint_on_first_or_last_page() -> None:
    assert guess_publisher(["Title\nCongressional Research Service\nR12345"]) == (
        "Congressional Research Service"
    )
    assert guess_publisher(["Title page", "body", "© RAND Corporation 2024"]) == "RAND Corporation"
    assert guess_publisher(["Nothing known here", "nor here"]) is None
    assert guess_publisher([]) is None
