"""OAI-PMH 2.0: the catalog's metadata records for harvesters, in Dublin Core (oai_dc).

`respond` answers one request (its arguments as (name, value) pairs) with the XML of the
response; a request the protocol refuses is answered with its error codes, inside a normal
response, as the protocol wants. Items are identified as oai:HOST:REPORT_ID, sets are the
publishers (setSpec: the publisher's slug), datestamps have seconds granularity, and deleted
reports stay listed as deleted records for good (see oaistore.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import xmlwriter as xml
from .catalog import Catalog
from .errors import OaiError
from .metadata import display_name
from .oaiargs import LISTS, ListRequest, datestamp, list_request, read_request, report_id_of
from .oaistore import Item

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PREFIX = "oai_dc"  # the one metadata format
FORMATS = {PREFIX: ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC)}
EARLIEST_EMPTY = "1970-01-01T00:00:00+00:00"  # earliestDatestamp of an empty repository


@dataclass(frozen=True)
class Repository:
    """What a response says about the repository: its endpoint URL, the host its identifiers
    are under, its name and contact, the list page size, and the URLs of a report's page and
    PDF."""

    base_url: str
    host: str
    name: str
    admin_email: str
    page_size: int
    report_url: Callable[[str], str]
    pdf_url: Callable[[str], str]

    def identifier(self, report_id: str) -> str:
        """The OAI identifier of a report."""
        return f"oai:{self.host}:{report_id}"


def respond(catalog: Catalog, pairs: list[tuple[str, str]], repo: Repository) -> bytes:
    """The OAI-PMH response (UTF-8 XML) to a request with arguments `pairs`."""
    located = {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI}OAI-PMH.xsd"}
    doc = xml.root(f"{{{OAI}}}OAI-PMH", {None: OAI, "xsi": XSI}, **located)
    xml.add(doc, f"{{{OAI}}}responseDate", datestamp(datetime.now(UTC).isoformat()))
    request = xml.add(doc, f"{{{OAI}}}request", repo.base_url)
    try:
        verb, args = read_request(pairs)
    except OaiError as error:  # badVerb, badArgument: the request is echoed without arguments
        _error(doc, error)
        return xml.to_bytes(doc)
    for name, value in [("verb", verb), *args.items()]:
        request.set(name, xml.clean(value))
    body = xml.add(doc, f"{{{OAI}}}{verb}")
    try:
        _VERBS[verb](catalog, args, repo, body)
    except OaiError as error:
        doc.remove(body)
        if error.code == "badArgument":  # the protocol echoes no arguments then
            request.attrib.clear()
        _error(doc, error)
    return xml.to_bytes(doc)


def _error(doc: Any, error: OaiError) -> None:
    xml.add(doc, f"{{{OAI}}}error", str(error), {"code": error.code})


def _identify(catalog: Catalog, args: dict[str, str], repo: Repository, body: Any) -> None:
    earliest = catalog.earliest_datestamp() or EARLIEST_EMPTY
    for name, value in (
        ("repositoryName", repo.name), ("baseURL", repo.base_url), ("protocolVersion", "2.0"),
        ("adminEmail", repo.admin_email), ("earliestDatestamp", datestamp(earliest)),
        ("deletedRecord", "persistent"), ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ):  # fmt: skip
        xml.add(body, f"{{{OAI}}}{name}", value)


def _list_metadata_formats(
    catalog: Catalog, args: dict[str, str], repo: Repository, body: Any
) -> None:
    if "identifier" in args:
        _item(catalog, args["identifier"], repo, "noMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        node = xml.add(body, f"{{{OAI}}}metadataFormat")
        xml.add(node, f"{{{OAI}}}metadataPrefix", prefix)
        xml.add(node, f"{{{OAI}}}schema", schema)
        xml.add(node, f"{{{OAI}}}metadataNamespace", namespace)


def _list_sets(catalog: Catalog, args: dict[str, str], repo: Repository, body: Any) -> None:
    if "resumptionToken" in args:  # every set fits in one response: no token was given
        raise OaiError("badResumptionToken", "this repository gives no resumptionToken for sets")
    specs = catalog.set_specs()
    if not specs:
        raise OaiError("noSetHierarchy", "no report has a publisher, so there are no sets yet")
    for publisher, spec in sorted(specs.items(), key=lambda kv: kv[1]):
        node = xml.add(body, f"{{{OAI}}}set")
        xml.add(node, f"{{{OAI}}}setSpec", spec)
        xml.add(node, f"{{{OAI}}}setName", publisher)


def _get_record(catalog: Catalog, args: dict[str, str], repo: Repository, body: Any) -> None:
    item = _item(catalog, args["identifier"], repo, "cannotDisseminateFormat")
    _check_format(args["metadataPrefix"])
    _record(body, item, repo, catalog.set_specs())


def _item(catalog: Catalog, identifier: str, repo: Repository, no_format: str) -> Item:
    """The item named by `identifier`; idDoesNotExist when the catalog does not know it, the
    error `no_format` when it knows it only as a file that failed (it has no record)."""
    report_id = report_id_of(identifier, repo.host)
    item = catalog.oai_item(report_id)
    if item is None:
        if catalog.failed(report_id):
            raise OaiError(no_format, f"{identifier} could not be read, so it has no metadata")
        raise OaiError("idDoesNotExist", f"{identifier!r} is not an item of this repository")
    return item


def _check_format(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not a format here; use oai_dc")


def _list(catalog: Catalog, args: dict[str, str], repo: Repository, body: Any) -> None:
    verb = body.tag.split("}")[1]
    request = list_request(verb, args)
    _check_format(request.prefix)
    specs = catalog.set_specs()
    publisher = None
    if request.set_spec is not None:
        if not specs:
            raise OaiError("noSetHierarchy", "no report has a publisher, so there are no sets")
        by_spec = {spec: name for name, spec in specs.items()}
        if request.set_spec not in by_spec:
            raise OaiError("noRecordsMatch", f"there is no set {request.set_spec!r}")
        publisher = by_spec[request.set_spec]
    selection = request.selection(publisher)
    items = catalog.oai_items(selection, request.after, repo.page_size + 1)
    if not items:
        raise OaiError("noRecordsMatch", "no item matches these arguments")
    page, more = items[: repo.page_size], len(items) > repo.page_size
    for item in page:
        if verb == "ListRecords":
            _record(body, item, repo, specs)
        else:
            _header(body, item, repo, specs)
    if more or request.after is not None:
        _resumption(body, request, page, more, catalog.oai_count(selection))


def _resumption(body: Any, request: ListRequest, page: list[Item], more: bool, size: int) -> None:
    sent = request.cursor + len(page)
    last = (page[-1].datestamp, page[-1].report_id)
    # The last page carries an empty token: the list is complete.
    token = request.token(last, sent) if more else None
    attrs = {"cursor": str(request.cursor), "completeListSize": str(max(size, sent))}
    xml.add(body, f"{{{OAI}}}resumptionToken", token, attrs)


def _header(parent: Any, item: Item, repo: Repository, specs: dict[str, str]) -> None:
    attrs = {"status": "deleted"} if item.deleted else None
    header = xml.add(parent, f"{{{OAI}}}header", attrs=attrs)
    xml.add(header, f"{{{OAI}}}identifier", repo.identifier(item.report_id))
    xml.add(header, f"{{{OAI}}}datestamp", datestamp(item.datestamp))
    if item.publisher in specs:
        xml.add(header, f"{{{OAI}}}setSpec", specs[item.publisher])


def _record(parent: Any, item: Item, repo: Repository, specs: dict[str, str]) -> None:
    record = xml.add(parent, f"{{{OAI}}}record")
    _header(record, item, repo, specs)
    if not item.deleted:
        _dublin_core(xml.add(record, f"{{{OAI}}}metadata"), item, repo)


def _dublin_core(parent: Any, item: Item, repo: Repository) -> None:
    dc = xml.add(parent, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI},
                 attrs={f"{{{XSI}}}schemaLocation":
                        f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"})  # fmt: skip
    for name, value in dublin_core(item.values, repo.report_url(item.report_id),
                                   repo.pdf_url(item.report_id)):  # fmt: skip
        xml.add(dc, f"{{{DC}}}{name}", value)


def dublin_core(values: dict[str, Any], page_url: str, pdf_url: str) -> list[tuple[str, str]]:
    """The (element, value) pairs of simple Dublin Core for a record's `values`."""
    title = ": ".join(filter(None, (values.get("title"), values.get("subtitle"))))
    pairs = [("title", title)] if title else []
    pairs += [("creator", display_name(a)) for a in values.get("authors", [])]
    pairs += [("subject", tag) for tag in values.get("tags", [])]
    for name, field in (("description", "abstract"), ("publisher", "publisher"),
                        ("date", "date"), ("language", "language")):  # fmt: skip
        if values.get(field):
            pairs.append((name, str(values[field])))
    pairs += [("type", "Text")]
    if values.get("report_type"):
        pairs.append(("type", values["report_type"]))
    pairs += [("format", "application/pdf"), ("identifier", page_url)]
    if values.get("source_url"):
        pairs.append(("identifier", values["source_url"]))
    if values.get("report_number"):
        pairs.append(("identifier", values["report_number"]))
    if values.get("doi"):
        pairs.append(("identifier", f"https://doi.org/{values['doi']}"))
    if values.get("isbn"):
        pairs.append(("identifier", f"urn:isbn:{values['isbn']}"))
    pairs.append(("relation", pdf_url))
    return pairs


_VERBS: dict[str, Callable[[Catalog, dict[str, str], Repository, Any], None]] = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    **dict.fromkeys(LISTS, _list),
}
