"""OAI-PMH at /oai: every verb's answer and every error valid against the OAI-PMH and oai_dc
schemas (vendored in tests/data/oai/), resumption across pages, deleted records kept, and a
real harvester (sickle) harvesting a real server page by page."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree
from sickle import Sickle

from indexer.catalog import Catalog
from indexer.config import Settings
from indexer.library import Library
from indexer.slugs import slugify, unique_slug
from indexer.web import create_app
from tests.pdfs import make_pdf
from tests.servers import indexer_server

SCHEMAS = Path(__file__).parent / "data" / "oai"
NS = {"o": "http://www.openarchives.org/OAI/2.0/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}  # fmt: skip
PUBLISHERS = {
    "crs1": "Congressional Research Service",
    "crs2": "Congressional Research Service",
    "rand": "RAND Corporation",
    "rand2": "Rand Corporation!",  # the same slug as RAND's: made unique
    "razumkov": "Центр Разумкова",
    "none": None,
}
PAGE_SIZE = 2


@dataclass(frozen=True)
class Repo:
    """The test repository: its settings, report ids by name, and when the last changes
    (one deletion, one edit) were made, a second after the rest."""

    settings: Settings
    ids: dict[str, str]
    changed_from: str  # an OAI datestamp: the second of the last changes
    failed_id: str


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


OAI_SCHEMA, DC_SCHEMA = _schema("OAI-PMH.xsd"), _schema("oai_dc.xsd")


def valid(body: bytes) -> etree._Element:
    """The parsed response, checked against OAI-PMH.xsd, and each oai_dc:dc against oai_dc.xsd
    (OAI-PMH.xsd skips what `metadata` holds)."""
    doc = etree.fromstring(body)
    OAI_SCHEMA.assertValid(doc)
    for dc in doc.iterfind(".//oai_dc:dc", NS):
        DC_SCHEMA.assertValid(etree.ElementTree(dc))
    return doc


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    root = tmp_path_factory.mktemp("oai")
    folder = root / "reports"
    folder.mkdir()
    for name, publisher in PUBLISHERS.items():
        pdf = make_pdf(folder / f"{name}.pdf", [f"The {name} report on seabed minerals, page one."],
                       title=f"Report {name}", author="Jane Analyst")  # fmt: skip
        if publisher:
            sidecar = {"publisher": publisher, "tags": "seabed, minerals", "date": "2024-05-01"}
            Path(f"{pdf}.json").write_text(json.dumps(sidecar, ensure_ascii=False))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a PDF")
    settings = Settings(data=root / "data", workers=2, extract_timeout=60, oai_page_size=PAGE_SIZE)
    library = Library(settings)
    summary = library.ingest([folder])
    by_path = {Path(f.path).stem: f.report_id for f in summary.files}
    ids = {name: by_path[name] for name in PUBLISHERS}
    time.sleep(1.1)  # the changes below get a later datestamp than every ingest
    changed_from = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    library.delete_report(ids["rand"])
    library.update_metadata(ids["crs2"], {"title": "Report crs2, corrected"})
    library.close()
    return Repo(settings, ids, changed_from, by_path["broken"])


@pytest.fixture(scope="module")
def oai_app(repo: Repo) -> Flask:
    return create_app(repo.settings)


def ask(app: Flask, **args: str) -> etree._Element:
    response = app.test_client().get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return valid(response.data)


def harvest(app: Flask, verb: str, **args: str) -> list[etree._Element]:
    """Every header of a list request, following resumption tokens page by page."""
    headers = []
    doc = ask(app, verb=verb, **args)
    while True:
        headers += doc.findall(".//o:header", NS)
        token = doc.find(".//o:resumptionToken", NS)
        if token is None or not token.text:
            return headers
        assert len(doc.findall(".//o:header", NS)) == PAGE_SIZE
        doc = ask(app, verb=verb, resumptionToken=token.text)


def identifier(report_id: str) -> str:
    return f"oai:localhost:{report_id}"


def test_identify(oai_app: Flask) -> None:
    doc = ask(oai_app, verb="Identify")
    assert doc.findtext(".//o:baseURL", namespaces=NS) == "http://localhost/oai"
    assert doc.findtext(".//o:deletedRecord", namespaces=NS) == "persistent"
    assert doc.findtext(".//o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert doc.findtext(".//o:earliestDatestamp", namespaces=NS).endswith("Z")


def test_list_metadata_formats(oai_app: Flask, repo: Repo) -> None:
    for args in ({}, {"identifier": identifier(repo.ids["crs1"])}):
        doc = ask(oai_app, verb="ListMetadataFormats", **args)
        assert doc.findtext(".//o:metadataPrefix", namespaces=NS) == "oai_dc"


def test_list_sets_one_per_publisher_with_ascii_unique_specs(oai_app: Flask) -> None:
    doc = ask(oai_app, verb="ListSets")
    sets = {s.findtext("o:setName", namespaces=NS): s.findtext("o:setSpec", namespaces=NS)
            for s in doc.iterfind(".//o:set", NS)}  # fmt: skip
    assert sets == {
        "Congressional Research Service": "congressional-research-service",
        "RAND Corporation": "rand-corporation",
        "Rand Corporation!": "rand-corporation-2",
        "Центр Разумкова": "tsentr-razumkova",
    }
    again = ask(oai_app, verb="ListSets")
    assert [s.text for s in again.iterfind(".//o:setSpec", NS)] == sorted(sets.values())


def test_list_records_pages_through_every_item_once(oai_app: Flask, repo: Repo) -> None:
    headers = harvest(oai_app, "ListRecords", metadataPrefix="oai_dc")
    seen = [h.findtext("o:identifier", namespaces=NS) for h in headers]
    assert sorted(seen) == sorted(identifier(i) for i in repo.ids.values())
    deleted = [h for h in headers if h.get("status") == "deleted"]
    assert [h.findtext("o:identifier", namespaces=NS) for h in deleted] == [
        identifier(repo.ids["rand"])
    ]
    stamps = [h.findtext("o:datestamp", namespaces=NS) for h in headers]
    assert stamps == sorted(stamps) and all(len(s) == 20 and s.endswith("Z") for s in stamps)
    ids = harvest(oai_app, "ListIdentifiers", metadataPrefix="oai_dc")
    assert [h.findtext("o:identifier", namespaces=NS) for h in ids] == seen


def test_from_until_and_set_select_by_datestamp_and_publisher(oai_app: Flask, repo: Repo) -> None:
    changed = harvest(
        oai_app, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": repo.changed_from}
    )
    assert {h.findtext("o:identifier", namespaces=NS) for h in changed} == {
        identifier(repo.ids["rand"]), identifier(repo.ids["crs2"])}  # fmt: skip
    before = harvest(oai_app, "ListIdentifiers", metadataPrefix="oai_dc", until="2000-01-01")
    assert before == []  # noRecordsMatch: checked in the error test
    day = repo.changed_from[:10]
    assert len(harvest(oai_app, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": day},
                       until=day)) == len(repo.ids)  # fmt: skip
    crs = harvest(oai_app, "ListRecords", metadataPrefix="oai_dc",
                  set="congressional-research-service")  # fmt: skip
    assert {h.findtext("o:identifier", namespaces=NS) for h in crs} == {
        identifier(repo.ids["crs1"]), identifier(repo.ids["crs2"])}  # fmt: skip


def test_get_record_in_dublin_core(oai_app: Flask, repo: Repo) -> None:
    doc = ask(oai_app, verb="GetRecord", identifier=identifier(repo.ids["crs2"]),
              metadataPrefix="oai_dc")  # fmt: skip
    dc = doc.find(".//oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Report crs2, corrected"
    assert dc.findtext("dc:publisher", namespaces=NS) == "Congressional Research Service"
    assert [s.text for s in dc.iterfind("dc:subject", NS)] == ["seabed", "minerals"]
    assert dc.findtext("dc:date", namespaces=NS) == "2024-05-01"
    assert f"http://localhost/reports/{repo.ids['crs2']}" in [
        i.text for i in dc.iterfind("dc:identifier", NS)]  # fmt: skip
    gone = ask(oai_app, verb="GetRecord", identifier=identifier(repo.ids["rand"]),
               metadataPrefix="oai_dc")  # fmt: skip
    assert gone.find(".//o:header", NS).get("status") == "deleted"
    assert gone.find(".//o:metadata", NS) is None
    assert gone.findtext(".//o:setSpec", namespaces=NS) == "rand-corporation"


def test_post_is_answered_like_get(oai_app: Flask) -> None:
    response = oai_app.test_client().post("/oai", data={"verb": "Identify"})
    assert valid(response.data).find(".//o:Identify", NS) is not None


ERRORS = [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "ListSets"]}, "badVerb"),
    ({"verb": "Identify", "set": "x"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00.5Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01",
      "until": "2024-02-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01",
      "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "bad prefix"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "WzEsMl0"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "ID:crs1", "metadataPrefix": "mods"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "ID:broken", "metadataPrefix": "oai_dc"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:0123456789abcdef",
      "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:ID", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "not an identifier"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "ID:broken"}, "noMetadataFormats"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01"},
     "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "no-such-publisher"},
     "noRecordsMatch"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code"), ERRORS)
def test_errors(oai_app: Flask, repo: Repo, args: dict, code: str) -> None:
    def fill(value: str) -> str:
        for name, report_id in [*repo.ids.items(), ("broken", repo.failed_id)]:
            value = value.replace(f"ID:{name}", identifier(report_id))
        return value.replace("oai:elsewhere.org:ID", f"oai:elsewhere.org:{repo.ids['crs1']}")

    filled = {k: [fill(x) for x in v] if isinstance(v, list) else fill(v) for k, v in args.items()}
    response = oai_app.test_client().get("/oai", query_string=filled)
    doc = valid(response.data)
    assert [e.get("code") for e in doc.iterfind("o:error", NS)] == [code]
    request = doc.find("o:request", NS)
    if code in ("badVerb", "badArgument"):  # the protocol echoes no arguments then
        assert dict(request.attrib) == {}


def test_an_empty_repository_has_no_sets_and_no_records(tmp_path: Path) -> None:
    app = create_app(Settings(data=tmp_path / "data"))
    for args, code in [({"verb": "ListSets"}, "noSetHierarchy"),
                       ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "a"},
                        "noSetHierarchy"),
                       ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
                        "noRecordsMatch")]:  # fmt: skip
        doc = ask(app, **args)
        assert [e.get("code") for e in doc.iterfind("o:error", NS)] == [code]
    assert ask(app, verb="Identify").findtext(".//o:earliestDatestamp", namespaces=NS)


def test_resumption_is_stable_under_changes(repo: Repo, tmp_path: Path) -> None:
    data = tmp_path / "data"  # a copy: this test deletes
    shutil.copytree(repo.settings.data, data)
    app = create_app(replace(repo.settings, data=data))
    first = ask(app, verb="ListIdentifiers", metadataPrefix="oai_dc")
    sent = [h.findtext("o:identifier", namespaces=NS) for h in first.iterfind(".//o:header", NS)]
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    # Meanwhile an item already sent is deleted: a later datestamp than any other item.
    time.sleep(1.1)
    by_identifier = {identifier(i): i for i in repo.ids.values()}
    app.config["LIBRARY"].delete_report(by_identifier[sent[0]])
    after: list[str] = []
    while token:
        doc = ask(app, verb="ListIdentifiers", resumptionToken=token)
        after += [
            h.findtext("o:identifier", namespaces=NS) for h in doc.iterfind(".//o:header", NS)
        ]
        token = doc.findtext(".//o:resumptionToken", namespaces=NS)
    # Nothing skipped or repeated; the changed item comes again, at the end, as deleted.
    assert sorted(sent[1:] + after) == sorted(by_identifier)
    assert after[-1] == sent[0]
    last = doc.findall(".//o:header", NS)[-1]
    assert last.get("status") == "deleted"


def test_pruned_and_deleted_uploads_stay_as_tombstones(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    pdf = make_pdf(folder / "gone.pdf", ["A report that will be pruned from the catalog."])
    library = Library(Settings(data=tmp_path / "data", workers=1))
    (report_id,) = [f.report_id for f in library.ingest([folder]).files]
    pdf.unlink()
    library.ingest([folder], prune=True)
    library.close()
    with Catalog(tmp_path / "data" / "catalog.sqlite") as catalog:
        assert catalog.report_row(report_id) is None
        item = catalog.oai_item(report_id)
    assert item is not None and item.deleted


def test_datestamps_of_older_catalogs_start_at_their_added_time(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    with Catalog(path) as catalog:
        catalog.db.execute(
            "INSERT INTO reports (report_id, sha256, status, added_at, meta) VALUES"
            " ('00000000000000aa', 'x', 'indexed', '2020-01-02T03:04:05+00:00', '{}')"
        )
        catalog.db.execute("DROP INDEX reports_modified")
        catalog.db.execute("ALTER TABLE reports DROP COLUMN modified")
    with Catalog(path) as catalog:
        item = catalog.oai_item("00000000000000aa")
    assert item is not None and item.datestamp == "2020-01-02T03:04:05+00:00"


def test_slugs_are_ascii_transliterated_and_unique() -> None:
    assert slugify("Центр Разумкова") == "tsentr-razumkova"
    assert slugify("Національний інститут стратегічних досліджень") == (
        "natsionalnyi-instytut-stratehichnykh-doslidzhen"
    )
    assert slugify("Щёлковский Ежегодник") == "shchelkovskiy-ezhegodnik"
    assert slugify("Fondation pour la Recherche Stratégique") == (
        "fondation-pour-la-recherche-strategique"
    )
    assert slugify("国务院", fallback="publisher") == "publisher"
    assert unique_slug("RAND", {"rand", "rand-2"}) == "rand-3"


def test_sickle_harvests_a_real_server(repo: Repo) -> None:
    env = dict(os.environ, INDEXER_OAI_PAGE_SIZE=str(PAGE_SIZE))
    with indexer_server(repo.settings.data, env=env) as base:
        sickle = Sickle(f"{base}/oai", max_retries=0, timeout=30)
        records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
        ids = [r.header.identifier for r in records]
        host = base.split("//")[1].split(":")[0]
        assert sorted(ids) == sorted(f"oai:{host}:{i}" for i in repo.ids.values())
        assert len(ids) == len(set(ids)) >= 5
        assert [r.header.identifier for r in records if r.header.deleted] == [
            f"oai:{host}:{repo.ids['rand']}"]  # fmt: skip
        later = sickle.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False,
                                       **{"from": repo.changed_from})  # fmt: skip
        assert {h.identifier for h in later} == {
            f"oai:{host}:{repo.ids['rand']}", f"oai:{host}:{repo.ids['crs2']}"}  # fmt: skip
        assert {s.setSpec for s in sickle.ListSets()} >= {"tsentr-razumkova"}
