"""OCR: generated scans read back (character error rate, words found and placed on the page),
the languages chosen, `indexer ocr` after an ingest without it, a page that runs out of time,
and what a collection says when Tesseract is missing."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytesseract
import pytest
from click.testing import CliRunner
from PIL import Image, ImageStat
from rapidfuzz.distance import Levenshtein

from indexer import ocr
from indexer.cli import cli
from indexer.config import Settings
from indexer.library import Library
from indexer.models import Document, Page
from indexer.web import create_app
from tests.pdfs import A4_POINTS, make_pdf, make_scanned_pdf

ENGLISH = """The committee reviewed the walrus survey of the northern coast
and found that the colonies had moved farther north each year.
Its members asked the agency to report again before the summer,
with counts from every station along the shore."""
RUSSIAN = """Комиссия рассмотрела отчёт о состоянии береговой охраны
и решила продолжить наблюдение за колониями моржей на севере.
Члены комиссии попросили ведомство представить новые данные
до начала лета, со сведениями от каждой станции на побережье."""
MAX_CER = 0.02  # measured: 0.004 (English, one speck read as a full stop), 0.0 (Russian)


Scan = tuple[Path, dict[str, tuple[float, float, float, float]]]  # the file, where words are


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory, tesseract: None) -> dict[str, Scan]:
    """An English and a Russian one-page scan, with where each word was drawn."""
    root = tmp_path_factory.mktemp("scans") / "in"
    made = {
        "en": make_scanned_pdf(root / "walrus-scan.pdf", [ENGLISH]),
        "ru": make_scanned_pdf(root / "morzhi-scan.pdf", [RUSSIAN]),
    }
    return {lang: (path, places[0]) for lang, (path, places) in made.items()}


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory, scans: dict[str, Scan]) -> Iterator[Library]:
    """The scans ingested with OCR on (the default, `auto`)."""
    data = tmp_path_factory.mktemp("ocr") / "data"
    library = Library(Settings(data=data, workers=2, extract_timeout=60))
    library.ingest([scans["en"][0].parent])
    yield library
    library.close()


def report_id(lib: Library, name: str) -> str:
    return next(e["report_id"] for e in lib.reports() if e["files"][0]["path"].endswith(name))


def cer(expected: str, read: str) -> float:
    """The character error rate of `read` against `expected`, whitespace runs as one space."""
    truth = " ".join(expected.split())
    return Levenshtein.distance(truth, " ".join(read.split())) / len(truth)


@pytest.mark.parametrize(
    ("name", "text"), [("walrus-scan.pdf", ENGLISH), ("morzhi-scan.pdf", RUSSIAN)]
)
def test_a_generated_scan_is_read_with_few_errors(lib: Library, name: str, text: str) -> None:
    entry = next(e for e in lib.reports() if e["files"][0]["path"].endswith(name))
    assert entry["status"] == "indexed"
    page = lib.page(entry["report_id"], 1)
    assert (page["text_source"], page["quality"]) == ("ocr", "ok")
    assert cer(text, page["text"]) < MAX_CER


@pytest.mark.parametrize(
    ("query", "name"), [("walrus", "walrus-scan.pdf"), ("моржей", "morzhi-scan.pdf")]
)
def test_a_word_from_the_picture_is_found_and_marked_as_ocr(
    lib: Library, query: str, name: str
) -> None:
    (hit,) = lib.search(query).hits
    assert Path(hit.path).name == name
    assert hit.to_dict()["text_source"] == "ocr" and (hit.page, hit.page_label) == (1, None)
    assert query in hit.snippet[slice(*hit.highlights[0])]


def test_a_quote_from_a_scan_is_marked_as_ocr(lib: Library) -> None:
    (match,) = lib.quote("asked the agency to report again before the summer").matches
    assert match.exact and match.to_dict()["text_source"] == "ocr"


def test_the_passage_is_placed_on_the_words_ocr_read(lib: Library, scans: dict[str, Scan]) -> None:
    places = scans["en"][1]
    (hit,) = lib.search('"walrus survey"').hits
    (box,) = lib.page_view(hit.report_id, 1, hit.passage)["boxes"]  # one line
    both = [places["walrus"], places["survey"]]
    drawn = tuple(f(b[i] for b in both) for i, f in enumerate((min, min, max, max)))
    assert box == pytest.approx(drawn, abs=1.5)


def test_the_png_paints_the_passage_on_the_scan(lib: Library) -> None:
    (hit,) = lib.search("walrus").hits
    width = 600
    painted = Image.open(io.BytesIO(lib.page_png(hit.report_id, 1, width, hit.passage)))
    plain = Image.open(io.BytesIO(lib.page_png(hit.report_id, 1, width)))
    (box,) = lib.page_view(hit.report_id, 1, hit.passage)["boxes"]
    scale = width / A4_POINTS[0]
    inside = (int(box[0] * scale), int((A4_POINTS[1] - box[3]) * scale),
              int(box[2] * scale), int((A4_POINTS[1] - box[1]) * scale))  # fmt: skip
    below = (inside[0], inside[3] + 40, inside[2], inside[3] + 60)

    def blue(picture: Image.Image, area: tuple[int, int, int, int]) -> float:
        return float(ImageStat.Stat(picture.convert("RGB").crop(area)).mean[2])

    assert blue(painted, inside) < blue(plain, inside) - 40
    assert blue(painted, below) == blue(plain, below)


def test_the_web_says_text_from_ocr(lib: Library) -> None:
    app = create_app(lib.settings)
    client = app.test_client()
    rid = report_id(lib, "walrus-scan.pdf")
    assert "text from OCR" in client.get("/search", query_string={"q": "walrus"}).text
    hits = client.get("/api/search", query_string={"q": "walrus"}).get_json()["hits"]
    assert [h["text_source"] for h in hits] == ["ocr"]
    assert client.get(f"/api/reports/{rid}/pages/1").get_json()["text_source"] == "ocr"
    page = client.get(f"/reports/{rid}/pages/1", query_string={"hl": "4-13"})
    assert "text from OCR" in page.text and 'data-boxes="[]"' not in page.text
    quote = client.get("/quote", query_string={"text": "asked the agency to report again"})
    assert "text from OCR" in quote.text
    assert "(text from OCR)" in client.get(f"/reports/{rid}").text
    app.config["LIBRARY"].renderer.close()


def test_the_languages_follow_the_reports_other_pages(tesseract: None) -> None:
    def doc(language: str | None) -> Document:
        return Document(pages=[Page(1, "")], language=language)

    assert ocr.languages("auto", doc("ru")) == "rus+eng"
    assert ocr.languages("auto", doc("en")) == "eng"
    assert ocr.languages("auto", doc(None)) == "eng+rus+ukr"
    assert ocr.languages("auto", doc("ko")) == "eng+rus+ukr"  # no Korean data: the default
    assert ocr.languages("deu+xxx", doc("ru")) == "deu"  # only what is installed


def test_indexer_ocr_reads_what_was_ingested_without_it(
    tmp_path: Path, scans: dict[str, Scan]
) -> None:
    shutil.copy(scans["en"][0], tmp_path / "scan.pdf")
    data = tmp_path / "data"
    without = Library(Settings(data=data, workers=1, ocr="off"))
    without.ingest([tmp_path / "scan.pdf"])
    stats = without.collection_stats()
    rid, (waiting,), (added,) = report_id(without, "scan.pdf"), stats["needs_ocr"], stats["recent"]
    assert waiting["report_id"] == rid and stats["ocr"]["state"] == "off"
    without.close()

    runner = CliRunner(env={"INDEXER_OCR": "auto"})
    result = runner.invoke(cli, ["--data", str(data), "ocr", "--json"])
    assert result.exit_code == 0, result.output
    assert [f["status"] for f in json.loads(result.stdout)["files"]] == ["indexed"]
    after = Library(Settings(data=data, workers=1))
    try:
        assert after.search("walrus").hits[0].text_source == "ocr"
        assert after.collection_stats()["needs_ocr"] == []
        assert after.collection_stats()["ocr"] | {"languages": []} == {
            "state": "on",
            "languages": [],
            "waiting": 0,
            "enable": None,
            "install": ocr.INSTALL,
        }
        assert after.collection_stats()["recent"] == [added | {"status": "indexed"}]
    finally:
        after.close()
    # Nothing waits any more; named, a report is read again all the same.
    again = runner.invoke(cli, ["--data", str(data), "ocr", "--json"])
    assert json.loads(again.stdout)["files"] == []
    named = runner.invoke(cli, ["--data", str(data), "ocr", rid])
    assert named.exit_code == 0 and "1 indexed" in named.stdout


def test_a_page_whose_ocr_runs_out_of_time_keeps_its_text(
    tmp_path: Path, tesseract: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A dense page takes Tesseract seconds: with 1 s a page (Tesseract gets 0.9 s; reading
    the one-page file without OCR takes a tenth of that) it is stopped, the file is still
    recorded (without text) and waits for OCR. (With 3 s, Tesseract sometimes finished on an
    idle machine.)"""
    dense = "\n".join(
        f"Line {n} of a dense page about the walrus survey of the coast." for n in range(60)
    )
    make_scanned_pdf(tmp_path / "in" / "dense.pdf", [dense])
    lib = Library(Settings(data=tmp_path / "data", workers=1, extract_timeout=1))
    try:
        (outcome,) = lib.ingest([tmp_path / "in"]).files
        assert outcome.status == "no_text"
        assert "dense.pdf: page 1: OCR failed: " in caplog.text
        assert [r["report_id"] for r in lib.collection_stats()["needs_ocr"]] == [outcome.report_id]
    finally:
        lib.close()


@pytest.fixture
def no_tesseract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process as on a machine without Tesseract: pytesseract finds no program."""
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr.installed_languages.cache_clear()
    yield
    ocr.installed_languages.cache_clear()


def test_without_tesseract_scans_wait_and_the_collection_says_how_to_enable_ocr(
    tmp_path: Path, no_tesseract: None
) -> None:
    make_pdf(tmp_path / "in" / "text.pdf", ["A report with a text layer about walrus budgets."])
    make_scanned_pdf(tmp_path / "in" / "scan.pdf", [ENGLISH])
    settings = Settings(data=tmp_path / "data", workers=1)  # OCR auto, the default
    lib = Library(settings)
    try:
        counts = lib.ingest([tmp_path / "in"]).counts
        assert (counts["indexed"], counts["no_text"]) == (1, 1)
        state = lib.collection_stats()["ocr"]
        assert (state["state"], state["waiting"]) == ("not_installed", 1)
        assert ocr.INSTALL in state["enable"]
        text = CliRunner().invoke(cli, ["--data", str(settings.data), "stats"]).stdout
        assert f"1 report waits for OCR; Tesseract is not installed: {ocr.INSTALL}" in text
        refused = CliRunner().invoke(cli, ["--data", str(settings.data), "ocr", "--json"])
        assert refused.exit_code == 1
        assert json.loads(refused.stdout)["error"]["type"] == "ocr_unavailable"
        app = create_app(settings)
        page = app.test_client().get("/collection").text
        assert "1 report waits for OCR" in page and ocr.INSTALL in page
        app.config["LIBRARY"].close()
    finally:
        lib.close()


def test_both_engines_store_the_text_source() -> None:
    """Whoosh stores what `page_records` gives (the search tests above read it back); the
    OpenSearch document keeps it among the stored fields a hit is made of."""
    from indexer.engine.opensearch.mapping import document
    from indexer.engine.pagerecords import page_records
    from indexer.models import Report

    pages = [Page(1, "A walrus read by OCR.", raw="A walrus read by OCR.", text_source="ocr")]
    (record,) = page_records(Report("f" * 16, "/x.pdf", "X"), pages)
    assert record["text_source"] == "ocr"
    assert document(record)["stored"]["text_source"] == "ocr"
