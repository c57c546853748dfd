"""An OAI-PMH request's arguments checked, its dates read and its resumption tokens made.

A resumption token carries the list request's own arguments and a keyset cursor, the
(datestamp, report id) of the last item sent: the next page starts after it, so items added,
changed or deleted meanwhile neither shift nor repeat the items still to come (a changed
item gets a later datestamp and comes again at the end, as it should).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime

from .errors import OaiError
from .oaistore import Selection

VERBS = ("Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords",
         "GetRecord")  # fmt: skip
LISTS = ("ListIdentifiers", "ListRecords")
# Per verb: (required arguments, optional ones); an exclusive resumptionToken is handled apart.
ARGUMENTS: dict[str, tuple[set[str], set[str]]] = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_REPORT_ID = re.compile(r"[0-9a-f]{16}")
# The protocol's syntax of these arguments (OAI-PMH.xsd), checked before any is echoed.
_SYNTAX = {
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+"),
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*"),
    "from": re.compile(_DAY.pattern + "|" + _SECOND.pattern),
    "until": re.compile(_DAY.pattern + "|" + _SECOND.pattern),
}


def read_request(pairs: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and the other arguments of a request given as (name, value) pairs; raises
    OaiError badVerb (no verb, an unknown one, or two) or badArgument (an argument this verb
    does not take, one given twice, a required one missing, or a resumptionToken beside
    anything but the verb)."""
    verbs = [v for k, v in pairs if k == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        problem = "no verb" if not verbs else "more than one verb" if len(verbs) > 1 else None
        raise OaiError("badVerb", problem or f"{verbs[0]!r} is not an OAI-PMH verb")
    verb = verbs[0]
    args: dict[str, str] = {}
    required, optional = ARGUMENTS[verb]
    for name, value in pairs:
        if name == "verb":
            continue
        if name not in required | optional:
            raise OaiError("badArgument", f"{verb} does not take the argument {name!r}")
        if name in args:
            raise OaiError("badArgument", f"the argument {name!r} is given more than once")
        args[name] = value
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return verb, args
    missing = sorted(required - set(args))
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument {missing[0]!r}")
    for name, pattern in _SYNTAX.items():
        if name in args and not pattern.fullmatch(args[name]):
            raise OaiError("badArgument", f"{args[name]!r} is not a valid {name}")
    return verb, args


def datestamp(stored: str) -> str:
    """The catalog's ISO time (2026-04-15T09:30:00+00:00) as an OAI-PMH datestamp (…Z)."""
    return stored[:19] + "Z"


def stored_time(value: str, *, end: bool) -> str:
    """An OAI-PMH `from` or `until` in the catalog's ISO form; a day means its first second,
    or with `end` its last. Raises OaiError badArgument for anything else."""
    full = value
    if _DAY.fullmatch(value):
        full += "T23:59:59Z" if end else "T00:00:00Z"
    elif not _SECOND.fullmatch(value):
        raise OaiError("badArgument", f"{value!r} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    try:
        datetime.strptime(full, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise OaiError("badArgument", f"{value!r} is not a date and time") from None
    return full[:19] + "+00:00"


@dataclass(frozen=True)
class ListRequest:
    """A ListIdentifiers or ListRecords request: its arguments as given (for the next token),
    and where the previous page ended (`after`, with the number of items sent before)."""

    verb: str
    prefix: str
    since: str | None = None
    until: str | None = None
    set_spec: str | None = None
    after: tuple[str, str] | None = None
    cursor: int = 0

    def selection(self, publisher: str | None) -> Selection:
        """The items it wants, in the catalog's terms (`publisher`: its set's)."""
        since = stored_time(self.since, end=False) if self.since else None
        until = stored_time(self.until, end=True) if self.until else None
        return Selection(since, until, publisher)

    def token(self, last: tuple[str, str], sent: int) -> str:
        """The resumption token of the page after the item `last`, `sent` items in all."""
        fields = [self.verb, self.prefix, self.since, self.until, self.set_spec, *last, sent]
        data = json.dumps(fields, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(data).decode().rstrip("=")


def list_request(verb: str, args: dict[str, str]) -> ListRequest:
    """The list request of `args` (checking `from` and `until`), or of its resumption token;
    raises OaiError badArgument or badResumptionToken."""
    if "resumptionToken" in args:
        return _from_token(verb, args["resumptionToken"])
    request = ListRequest(verb, args["metadataPrefix"], args.get("from"), args.get("until"),
                          args.get("set"))  # fmt: skip
    since, until = request.since, request.until
    if since and until and len(since) != len(until):
        raise OaiError("badArgument", "from and until must have the same granularity")
    selection = request.selection(None)
    if selection.since and selection.until and selection.since > selection.until:
        raise OaiError("badArgument", "from is later than until")
    return request


def _from_token(verb: str, token: str) -> ListRequest:
    bad = OaiError("badResumptionToken", "this resumptionToken is not one this repository gave")
    try:
        fields = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise bad from None
    if not isinstance(fields, list) or len(fields) != 8:
        raise bad
    made_for, prefix, since, until, set_spec, stamp, report_id, sent = fields
    texts = (since, until, set_spec)
    if (
        made_for != verb
        or not isinstance(prefix, str)
        or not all(t is None or isinstance(t, str) for t in texts)
        or not isinstance(stamp, str)
        or not isinstance(report_id, str)
        or not _REPORT_ID.fullmatch(report_id)
        or not isinstance(sent, int)
        or sent < 0
    ):
        raise bad
    given = {"metadataPrefix": prefix, "from": since, "until": until, "set": set_spec}
    try:  # what the first request was checked for
        list_request(verb, {k: v for k, v in given.items() if v})
    except OaiError:
        raise bad from None
    return ListRequest(verb, prefix, since, until, set_spec, (stamp, report_id), sent)


def report_id_of(identifier: str, host: str) -> str:
    """The report id in an identifier oai:HOST:REPORT_ID; raises OaiError idDoesNotExist for
    any other identifier."""
    prefix = f"oai:{host}:"
    report_id = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not _REPORT_ID.fullmatch(report_id):
        raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")
    return report_id
