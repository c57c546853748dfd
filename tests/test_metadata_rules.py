"""Metadata rules on generated reports: each publisher's cover layout, the generic rules, sidecars,
librarians' edits, and versions linked by text.

The covers (tests/data/metadata/covers/NAME.txt) copy real layouts with made-up titles, numbers
and names; their expected records are in covers.json. The PDFs carry no document info, so every
value here must come from the printed text (or a sidecar, or an edit).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from indexer.config import Settings
from indexer.errors import MetadataError, NotCitable
from indexer.library import Library
from tests.pdfs import make_not_a_pdf, make_pdf

DATA = Path(__file__).parent / "data" / "metadata"
COVERS: dict[str, dict[str, Any]] = {
    name: fields
    for name, fields in json.loads((DATA / "covers.json").read_text("utf-8")).items()
    if not name.startswith("_")
}
CASES = [(name, field) for name, fields in COVERS.items() for field in fields]
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# Filler words for the body text; each document draws its own sequence, so no two share prose.
FILLER = """agency appropriations authority benefit budget capacity certification commission
        committee community compliance congress contract cost coverage data decision demand
        department deployment development enforcement estimate evaluation eligibility facility
        federal financing funding grant guidance hearing implementation incentive industry
        infrastructure inspection investment jurisdiction legislation liability loan market
        measure members mission modernization oversight participation permit planning policy
        procurement production program proposal provision rate reform regional regulation
        reporting requirement research resilience resource review risk rulemaking safety
        schedule sector security service standard statute subsidy supply support system tariff
        taxpayer technology testimony threshold trade transfer transparency treasury utility
        waiver workforce analysis annual broad current direct early final general local major
        new national notable prior public recent relevant significant specific state total
        would could may might should also however although because while where which that"""
WORDS = sorted(set(FILLER.split()))
DISCLAIMER = (
    "Disclaimer\nThis document was prepared by the Lakeshore Policy Institute. The Institute "
    "serves as nonpartisan staff to its members and operates solely at their direction. "
    "Information in an Institute report should not be relied upon for purposes other than "
    "public understanding of information that has been provided to members in connection with "
    "the Institute's role. Reports may be reproduced and distributed in their entirety without "
    "permission. However, as a report may include copyrighted images or material from a third "
    "party, you may need to obtain the permission of the copyright holder if you wish to copy "
    "or otherwise use copyrighted material. Questions about this report may be directed to the "
    "Institute's publications office, which keeps every prior version of each report on file."
)


def prose(seed: str, words: int) -> str:
    """`words` words of sentence-shaped filler, the same for the same seed."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
        out += [sentence[0].capitalize(), *sentence[1:-1], sentence[-1] + "."]
    return " ".join(out[:words]).rstrip(".") + "."


def cover_pages(name: str) -> list[str]:
    """The pages of covers/NAME.txt, each {prose:N} filled with its own filler."""
    text = (DATA / "covers" / f"{name}.txt").read_text("utf-8")
    counter = iter(range(1000))
    filled = re.sub(r"\{prose:(\d+)\}", lambda m: prose(f"{name}{next(counter)}", int(m[1])), text)
    return [page.strip("\n") for page in filled.split("=== page ===")]


def comparable(value: Any, casefold: bool = False) -> Any:
    """A value with white space collapsed and typographic quotes folded (and case, if asked)."""
    if isinstance(value, list):
        return [comparable(v, casefold) for v in value]
    if not isinstance(value, str):
        return value
    value = re.sub(r"\s+", " ", value).strip().translate(QUOTES)
    return value.casefold() if casefold else value


def check(metadata: dict[str, Any], field: str, rule: Any) -> None:
    """Assert one field of a record against a rule of covers.json (see its _notes)."""
    actual = metadata.get(field)
    if not isinstance(rule, dict):
        assert comparable(actual) == comparable(rule)
        return
    fold = bool(rule.get("casefold"))
    if "title_subtitle" in rule:
        title, subtitle = rule["title_subtitle"]
        got = (comparable(actual), comparable(metadata.get("subtitle")))
        assert got in {(f"{title}: {subtitle}", None), (title, subtitle)}, got
    elif "any_of" in rule:
        assert comparable(actual, fold) in comparable(rule["any_of"], fold)
    elif "contains" in rule:
        assert actual and comparable(rule["contains"], fold) in comparable(actual, fold)
    elif "excludes" in rule:
        assert not set(rule["excludes"]) & set(actual or [])
    elif rule.get("digits"):
        assert actual and re.sub(r"[^0-9X]", "", actual) == re.sub(r"[^0-9X]", "", rule["is"])
    else:
        assert comparable(actual, fold) == comparable(rule["is"], fold)


def only_report(lib: Library) -> str:
    """The id of the one report in the library."""
    (entry,) = lib.reports()
    return entry["report_id"]


def report_of(lib: Library, path: Path) -> dict[str, Any]:
    """The record of the report holding `path`."""
    for entry in lib.reports():
        if any(Path(f["path"]) == path.resolve() for f in entry["files"]):
            return lib.report(entry["report_id"])
    raise AssertionError(f"no report holds {path}")


@pytest.fixture(scope="module")
def covers_lib(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, dict[str, str]]:
    """Every generated cover ingested once: the library and report id by cover name."""
    root = tmp_path_factory.mktemp("covers")
    for name in COVERS:
        make_pdf(root / "pdfs" / f"{name}.pdf", cover_pages(name))
    lib = Library(Settings(data=root / "data", workers=2, extract_timeout=60))
    lib.ingest([root / "pdfs"])
    ids = {Path(e["files"][0]["path"]).stem: e["report_id"] for e in lib.reports()}
    return lib, ids


@pytest.mark.parametrize(("name", "field"), CASES, ids=[f"{n}:{f}" for n, f in CASES])
def test_printed_cover_gives_the_field(
    covers_lib: tuple[Library, dict[str, str]], name: str, field: str
) -> None:
    lib, ids = covers_lib
    record = lib.report(ids[name])
    assert record["status"] == "indexed"
    check(record["metadata"], field, COVERS[name][field])
    if record["metadata"].get(field):
        assert record["sources"][field] == "text"


def test_generated_covers_are_not_versions_of_each_other(
    covers_lib: tuple[Library, dict[str, str]],
) -> None:
    lib, ids = covers_lib
    linked = {name: [v["report_id"] for v in lib.report(i)["versions"]] for name, i in ids.items()}
    assert linked == {name: [ids[name]] for name in ids}


# --- sidecars ---------------------------------------------------------------------------------

PRINTED = "Lakeshore Policy Institute\n\nPrinted Title of the Report\n\nUpdated March 3, 2025\n\n"
SIDECAR = {
    "title": "Sidecar Title",
    "authors": "Public, Jane Q.; Roe, Richard",
    "date": "2024-05",
    "report_number": "LPI-2024-07",
    "tags": ["energy", "rural"],
}
SIDECAR_RECORD = {**SIDECAR, "authors": ["Jane Q. Public", "Richard Roe"]}


def printed_report(path: Path, seed: str) -> Path:
    """A two-page report whose cover prints a title and a date (no report number)."""
    return make_pdf(path, [PRINTED + prose(seed, 150), prose(seed + "2", 200)])


def test_json_sidecar_beats_the_text(lib: Library, tmp_path: Path) -> None:
    pdf = printed_report(tmp_path / "in" / "report.pdf", "json")
    (tmp_path / "in" / "report.pdf.json").write_text(json.dumps(SIDECAR), "utf-8")
    lib.ingest([tmp_path / "in"])
    record = report_of(lib, pdf)
    for field, value in SIDECAR_RECORD.items():
        assert record["metadata"][field] == value, field
        assert record["sources"][field] == "sidecar", field


def test_csv_sidecar_by_file_name_and_by_sha256(lib: Library, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    by_name = printed_report(folder / "one.pdf", "csv1")
    by_hash = printed_report(folder / "two.pdf", "csv2")
    rows = [
        {"file": "one.pdf", "sha256": "", "title": "First From CSV", "date": "2023-11-30"},
        {
            "file": "",
            "sha256": hashlib.sha256(by_hash.read_bytes()).hexdigest(),
            "title": "Second From CSV",
            "date": "2022",
        },
    ]
    common = {"authors": "Roe, Richard", "report_number": "LPI-9"}
    with (folder / "metadata.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=[*rows[0], *common])
        writer.writeheader()
        writer.writerows({**row, **common} for row in rows)
    lib.ingest([folder])
    for pdf, row in ((by_name, rows[0]), (by_hash, rows[1])):
        record = report_of(lib, pdf)
        expected = {
            "title": row["title"],
            "date": row["date"],
            "authors": ["Richard Roe"],
            "report_number": "LPI-9",
        }
        for field, value in expected.items():
            assert record["metadata"][field] == value, (pdf.name, field)
            assert record["sources"][field] == "sidecar", (pdf.name, field)


# --- edits ------------------------------------------------------------------------------------


def test_edit_survives_reingest_rebuild_and_a_move(lib: Library, tmp_path: Path) -> None:
    pdf = printed_report(tmp_path / "root" / "a" / "report.pdf", "edit")
    lib.ingest([tmp_path / "root"])
    report_id = only_report(lib)
    answer = lib.update_metadata(report_id, {"title": "X"})
    assert (answer["metadata"]["title"], answer["sources"]["title"]) == ("X", "edit")

    def title_and_source() -> tuple[str, str]:
        record = lib.report(report_id)
        assert lib.metadata(report_id) == {k: record[k] for k in ("metadata", "sources")}
        return record["metadata"]["title"], record["sources"]["title"]

    lib.ingest([tmp_path / "root"])
    assert title_and_source() == ("X", "edit")
    lib.rebuild()
    assert title_and_source() == ("X", "edit")
    moved = tmp_path / "root" / "b" / "report.pdf"
    moved.parent.mkdir()
    shutil.move(pdf, moved)
    lib.ingest([tmp_path / "root"])
    assert report_of(lib, moved)["report_id"] == report_id
    assert title_and_source() == ("X", "edit")
    lib.update_metadata(report_id, {"title": None})
    title, source = title_and_source()
    assert title != "X" and source != "edit"


def test_reset_edit_falls_back_to_the_sidecar(lib: Library, tmp_path: Path) -> None:
    printed_report(tmp_path / "in" / "report.pdf", "reset")
    (tmp_path / "in" / "report.pdf.json").write_text(json.dumps(SIDECAR), "utf-8")
    lib.ingest([tmp_path / "in"])
    report_id = only_report(lib)
    lib.update_metadata(report_id, {"date": "2024-05-17"})
    assert lib.metadata(report_id)["sources"]["date"] == "edit"
    answer = lib.update_metadata(report_id, {"date": None})
    assert (answer["metadata"]["date"], answer["sources"]["date"]) == ("2024-05", "sidecar")


def test_edit_takes_authors_and_tags_as_strings(lib: Library, tmp_path: Path) -> None:
    printed_report(tmp_path / "in" / "report.pdf", "strings")
    lib.ingest([tmp_path / "in"])
    answer = lib.update_metadata(
        only_report(lib),
        {"authors": "Public, Jane Q.; Roe, Richard", "tags": "energy, grid"},
    )
    assert answer["metadata"]["authors"] == ["Jane Q. Public", "Richard Roe"]
    assert answer["metadata"]["tags"] == ["energy", "grid"]
    assert answer["sources"]["authors"] == answer["sources"]["tags"] == "edit"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"date": "2024-13-40"}, "date"),
        ({"date": "next Tuesday"}, "date"),
        ({"title": "Fine", "date": "2024-02-30"}, "date"),
    ],
    ids=["unknown-field", "month-13", "not-a-date", "feb-30"],
)
def test_bad_edit_names_the_field(
    lib: Library, tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    printed_report(tmp_path / "in" / "report.pdf", "bad")
    lib.ingest([tmp_path / "in"])
    report_id = only_report(lib)
    before = lib.metadata(report_id)
    with pytest.raises(MetadataError) as raised:
        lib.update_metadata(report_id, changes)
    assert raised.value.field == field
    assert field in str(raised.value)
    assert lib.metadata(report_id) == before, "a rejected edit changes nothing"


# --- versions and citability ------------------------------------------------------------------


def work(title: str, changed: dict[int, str]) -> list[str]:
    """Three pages of one report's text under `title`, with the words at `changed` replaced."""
    words = " ".join(prose(f"work{n}", 220) for n in range(3)).split(" ")
    for index, word in changed.items():
        words[index] = word
    pages = [" ".join(words[n * 220 : (n + 1) * 220]) for n in range(3)]
    return [f"{title}\n\n{pages[0]}", pages[1], pages[2]]


def test_near_duplicates_without_numbers_are_versions(lib: Library, tmp_path: Path) -> None:
    first = make_pdf(tmp_path / "in" / "outlook.pdf", work("Grid Storage Outlook", {}))
    edits = {40: "revised", 250: "lower", 300: "seven", 480: "later", 600: "domestic"}
    second = make_pdf(
        tmp_path / "in" / "outlook-review.pdf", work("Grid Storage Outlook and Review", edits)
    )
    lib.ingest([tmp_path / "in"])
    ids = {report_of(lib, p)["report_id"] for p in (first, second)}
    for pdf in (first, second):
        assert {v["report_id"] for v in report_of(lib, pdf)["versions"]} == ids


def test_reports_sharing_only_boilerplate_are_not_versions(lib: Library, tmp_path: Path) -> None:
    pdfs = [
        make_pdf(
            tmp_path / "in" / f"{name}.pdf",
            [f"{name.title()} Brief\n\n{prose(name, 250)}", prose(name + "2", 250), DISCLAIMER],
        )
        for name in ("harbor", "orchard")
    ]
    lib.ingest([tmp_path / "in"])
    for pdf in pdfs:
        record = report_of(lib, pdf)
        assert [v["report_id"] for v in record["versions"]] == [record["report_id"]]


def test_failed_report_is_not_citable(lib: Library, tmp_path: Path) -> None:
    make_not_a_pdf(tmp_path / "in" / "broken.pdf")
    lib.ingest([tmp_path / "in"])
    report_id = only_report(lib)
    record = lib.report(report_id)
    assert (record["status"], record["citable"]) == ("failed", False)
    with pytest.raises(NotCitable):
        lib.cite(report_id, "apa")
    with pytest.raises(NotCitable):
        lib.citations(report_id)
