"""The CLI contract, through click's runner: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli
from indexer.config import Settings
from indexer.library import Library
from tests.pdfs import make_not_a_pdf, make_pdf


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    make_pdf(d / "one.pdf", ["Chapter one covers the walrus population.", "The walrus returns."])
    make_pdf(d / "two.pdf", ["A second report about the walrus and the carpenter."])
    make_pdf(d / "three.pdf", ["Nothing in common with the others: saffron trade routes."])
    return d


def run(runner: CliRunner, data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--data", str(data), *args])
    return result.exit_code, result.stdout, result.stderr


def test_ingest_json_contract(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    code, out, _ = run(runner, tmp_path / "d", "ingest", str(folder), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data["counts"]) == {
        "indexed", "duplicate", "failed", "no_text", "missing", "unchanged"
    }  # fmt: skip
    assert data["counts"]["indexed"] == 3
    assert {tuple(sorted(f)) for f in data["files"]} == {
        ("error", "path", "reason", "report_id", "status")
    }
    code, out, _ = run(runner, tmp_path / "d", "ingest", str(folder), "--json")
    assert json.loads(out)["counts"]["unchanged"] == 3


def test_ingest_exits_1_when_a_file_failed_but_does_the_rest(
    runner: CliRunner, tmp_path: Path, folder: Path
) -> None:
    make_not_a_pdf(folder / "broken.pdf")
    code, out, err = run(runner, tmp_path / "d", "ingest", str(folder))
    assert code == 1
    assert "broken.pdf" in err and "3 indexed" in out
    reports = Library(Settings(data=tmp_path / "d")).reports()
    assert sorted(e["status"] for e in reports) == ["failed", "indexed", "indexed", "indexed"]


def test_search_json_contract(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--json", "--per-report", "0")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "walrus" and data["total"] == 3
    assert isinstance(data["total_is_estimate"], bool)
    hit = data["hits"][0]
    assert set(hit) >= {
        "report_id", "title", "path", "page", "page_label", "snippet", "highlights", "score"
    }  # fmt: skip
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "walrus"


def test_search_joins_words_and_limits(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, _ = run(runner, tmp_path / "d", "search", "walrus", "carpenter", "--json")
    data = json.loads(out)
    assert data["query"] == "walrus carpenter"
    assert [Path(h["path"]).name for h in data["hits"]] == ["two.pdf"]
    _, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--limit", "1", "--json")
    assert len(json.loads(out)["hits"]) == 1


def test_per_report_cap(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    _, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--per-report", "1", "--json")
    data = json.loads(out)
    assert data["total"] == 3 and len(data["hits"]) == 2


def test_search_in_one_report(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    _, out, _ = run(runner, tmp_path / "d", "ingest", str(folder), "--json")
    one = next(f["report_id"] for f in json.loads(out)["files"] if f["path"].endswith("one.pdf"))
    _, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--report", one, "--json")
    assert {h["report_id"] for h in json.loads(out)["hits"]} == {one}


@pytest.mark.parametrize("query", ['"unbalanced', "(a OR b", "nosuchfield:x", "*alrus", ""])
def test_query_errors_exit_2_with_one_line(
    runner: CliRunner, tmp_path: Path, folder: Path, query: str
) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, err = run(runner, tmp_path / "d", "search", query, "--json")
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert json.loads(out)["error"]["type"] == "query_error"


def test_usage_error_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, tmp_path / "d", "search", "x", "--limit", "zero", "--json")
    assert code == 2 and err.count("\n") == 1
    assert json.loads(out)["error"]["type"] == "usage_error"


def test_missing_path_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, tmp_path / "d", "ingest", str(tmp_path / "nope"))
    assert code == 2 and "no such file" in err


def test_reports_json_lists_every_file_once(
    runner: CliRunner, tmp_path: Path, folder: Path
) -> None:
    (folder / "copy.pdf").write_bytes((folder / "one.pdf").read_bytes())
    make_not_a_pdf(folder / "junk.pdf")
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, _ = run(runner, tmp_path / "d", "reports", "--json")
    assert code == 0
    entries = json.loads(out)
    paths = [f["path"] for e in entries for f in e["files"]]
    assert sorted(paths) == sorted(str(p.resolve()) for p in folder.glob("*.pdf"))
    for e in entries:
        assert {"report_id", "title", "status", "error", "pages", "sha256", "files"} <= set(e)
        assert e["report_id"] == e["sha256"][:16]
    junk = next(e for e in entries if e["files"][0]["path"].endswith("junk.pdf"))
    assert junk["status"] == "failed" and junk["error"]


def test_rebuild_json(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, _ = run(runner, tmp_path / "d", "rebuild", "--json")
    assert code == 0 and json.loads(out) == {"reports": 3, "need_ingest": 0}
    _, out, _ = run(runner, tmp_path / "d", "search", "saffron", "--json")
    assert json.loads(out)["total"] == 1


def test_data_defaults_to_env(runner: CliRunner, tmp_path: Path, folder: Path) -> None:
    result = runner.invoke(
        cli, ["ingest", str(folder)], env={"INDEXER_DATA": str(tmp_path / "envdata")}
    )
    assert result.exit_code == 0
    assert (tmp_path / "envdata" / "catalog.sqlite").is_file()


def test_human_search_output_cites_the_page(
    runner: CliRunner, tmp_path: Path, folder: Path
) -> None:
    run(runner, tmp_path / "d", "ingest", str(folder))
    code, out, _ = run(runner, tmp_path / "d", "search", "saffron")
    assert code == 0
    assert "PDF p. 1" in out and "three.pdf#page=1" in out and "saffron" in out


def test_search_filters(runner: CliRunner, tmp_path: Path) -> None:
    d = tmp_path / "in"
    make_pdf(d / "en.pdf", ["The walrus colony is growing along the northern coast every year."])
    make_pdf(d / "ru.pdf", ["Колония моржей walrus растёт вдоль северного побережья каждый год."])
    run(runner, tmp_path / "d", "ingest", str(d))
    _, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--lang", "ru", "--json")
    assert [Path(h["path"]).name for h in json.loads(out)["hits"]] == ["ru.pdf"]
    _, out, _ = run(runner, tmp_path / "d", "search", "walrus", "--year", "1999", "--json")
    assert json.loads(out)["total"] == 0


def test_unusable_data_folder_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    code, out, err = run(runner, data, "reports", "--json")
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert json.loads(out)["error"]["type"] == "data_error"
