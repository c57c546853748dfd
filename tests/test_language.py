"""Language and publisher guesses from page text."""

from __future__ import annotations

import pytest

from indexer.language import detect_language
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
        ("安徽省建设用地使用标准规定了停车区用地指标基准值和调整系数。", "zh"),
        ("官報の号外として、法律の公布について次のとおり掲載する。", "ja"),
        ("نتائج الانتخابات التشريعية في دائرة مدنين حسب مكاتب الاقتراع", "ar"),
        ("12 34 56", None),
        ("", None),
    ],
)  # fmt: skip
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language([text]) == lang


def test_publisher_from_the_imprint_on_first_or_last_page() -> None:
    assert guess_publisher(["Title\nCongressional Research Service\nR12345"]) == (
        "Congressional Research Service"
    )
    assert guess_publisher(["Title page", "body", "© RAND Corporation 2024"]) == "RAND Corporation"
    assert guess_publisher(["Nothing known here", "nor here"]) is None
    assert guess_publisher([]) is None
