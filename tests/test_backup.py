"""`indexer backup DIR` while the service works, and restoring from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import cli
from indexer.config import Settings
from indexer.library import Library
from tests.pdfs import make_pdf

ROOT = Path(__file__).resolve().parents[1]


def write_reports(folder: Path, names: list[str]) -> None:
    for name in names:
        make_pdf(folder / f"{name}.pdf", [f"{name} opening page", f"{name} closing page"])


def check(data: Path) -> dict:
    result = CliRunner().invoke(cli, ["--data", str(data), "check", "--json"])
    return json.loads(result.stdout)


def test_a_backup_taken_while_searching_and_editing_is_consistent(
    tmp_path: Path, lib: Library
) -> None:
    write_reports(tmp_path / "src", ["alpha", "beta", "gamma"])
    lib.ingest([tmp_path / "src"])
    first = lib.reports()[0]["report_id"]
    lib.update_metadata(first, {"title": "Edited before the backup"})
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_working() -> None:
        for n in range(200):  # bounded; stops early when the backup is done
            if stop.is_set():
                return
            try:
                assert lib.search("opening").total == 3
                lib.update_metadata(first, {"subtitle": f"edit {n}"})
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)
                return

    worker = threading.Thread(target=keep_working)
    worker.start()
    target = tmp_path / "backup"
    result = CliRunner().invoke(cli, ["--data", str(lib.settings.data), "backup", str(target)])
    stop.set()
    worker.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert errors == []
    assert check(target) == {"ok": True, "problems": []}
    copy = Library(Settings(data=target))
    assert copy.search("opening").total == 3
    assert copy.metadata(first)["metadata"]["title"] == "Edited before the backup"
    copy.close()


def test_restoring_a_backup_brings_the_collection_back(tmp_path: Path, lib: Library) -> None:
    write_reports(tmp_path / "src", ["alpha", "beta"])
    lib.ingest([tmp_path / "src"])
    lib.backup(tmp_path / "backup")
    data = lib.settings.data
    shutil.rmtree(data)  # the data folder is lost
    shutil.copytree(tmp_path / "backup", data)  # the documented restore
    lib.close()
    restored = Library(Settings(data=data))
    assert restored.search("closing").total == 2
    restored.close()
    assert check(data)["ok"]


def test_a_backup_waits_for_a_running_ingest(tmp_path: Path, lib: Library) -> None:
    write_reports(tmp_path / "src", [f"report{n}" for n in range(8)])
    env = os.environ | {"INDEXER_WORKERS": "1"}
    ingest = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--data", str(lib.settings.data), "ingest",
         str(tmp_path / "src")],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # Wait until the ingest holds the data folder, so the backup must wait for it.
        for _ in range(300):
            if (lib.settings.data / "write.lock").exists() and lib.settings.catalog_path.exists():
                break
            threading.Event().wait(0.05)
        lib.backup(tmp_path / "backup")
    finally:
        _, errors = ingest.communicate(timeout=120)  # also closes the pipe
        assert ingest.returncode == 0, errors
    assert check(tmp_path / "backup") == {"ok": True, "problems": []}
    copy = Library(Settings(data=tmp_path / "backup"))
    assert copy.search("opening").total in (0, 8)  # before the ingest, or after all of it
    copy.close()


def test_backing_up_into_a_folder_that_holds_something_is_refused(
    tmp_path: Path, lib: Library
) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    result = CliRunner().invoke(
        cli, ["--data", str(lib.settings.data), "backup", str(tmp_path / "full")]
    )
    assert result.exit_code == 1
    assert "not empty" in result.output
