"""Fetch a URL from the internet without letting it reach inside: the one module that uses
urllib3.

Every address a host name resolves to is checked (loopback, private, link-local, multicast,
unspecified, reserved and cloud-metadata addresses are refused), at the first URL and again at
every redirect, and the connection goes to the address that was checked, so a name that
resolves differently a moment later (DNS rebinding) cannot slip through. A name with one bad
address among good ones is refused. Size and time are bounded for the whole fetch.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import urllib3

from .errors import (
    HTTP_ERROR,
    NOT_PDF,
    TIMEOUT,
    TOO_LARGE,
    TOO_MANY_REDIRECTS,
    UNREACHABLE,
    FetchError,
    UrlRefused,
)

MAX_REDIRECTS = 5
USER_AGENT = "indexer (think-tank report indexer; +https://github.com/)"
CHUNK = 64 * 1024
PDF_HEADER_WINDOW = 1024  # the PDF header may follow up to 1 KB of junk, as readers allow
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Metadata services of cloud providers that are not already link-local: the Alibaba and
# Oracle ones, and the IPv6 endpoint of AWS (a unique-local address, refused anyway).
METADATA = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "fd00:ec2::254",
)}  # fmt: skip
NAT64 = ipaddress.ip_network("64:ff9b::/96")
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def refusal(address: Address) -> str | None:
    """Why an address may not be fetched from, or None for a public one. An IPv6 address
    that carries an IPv4 one (mapped, 6to4, NAT64) is judged by the IPv4 address too."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and (why := refusal(embedded)):
            return why
    checks = (
        (address in METADATA, "a cloud metadata address"),
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    return next((why for bad, why in checks if bad), None)


@dataclass(frozen=True)
class Target:
    """A URL checked for fetching: where to connect and what to ask for."""

    url: str
    scheme: str
    host: str  # as the server expects it in Host and TLS (IDNA-encoded)
    port: int
    path: str
    address: str  # the checked address the connection goes to


@dataclass
class Fetched:
    """What a fetch brought: the final URL after redirects, when, and the body's media type."""

    url: str
    final_url: str
    retrieved: str  # ISO 8601 UTC, seconds
    content_type: str
    size: int
    filename: str  # the last segment of the final URL's path (may be empty)


class Fetcher:
    """Fetches public http(s) URLs with bounded size, time and redirects.

    `allow` lists networks exempt from the address checks: a test-only escape hatch
    (INDEXER_FETCH_ALLOW), empty by default. `resolver` maps (host, port) to addresses;
    `ca_file` replaces the system's certificate authorities (for tests).
    """

    def __init__(
        self,
        *,
        timeout: float,
        max_bytes: int,
        allow: str = "",
        resolver: Resolver = system_resolver,
        ca_file: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.ca_file = ca_file
        self.allow = [ipaddress.ip_network(n.strip()) for n in allow.split(",") if n.strip()]
        self.resolver = resolver

    def check(self, url: str) -> Target:
        """The URL checked: http or https, no credentials, a host whose every address is
        public (or allowed). Raises UrlRefused saying why, FetchError when it cannot resolve."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as e:
            raise UrlRefused(f"{url!r} is not a valid URL: {e}") from None
        if parts.scheme not in ("http", "https"):
            raise UrlRefused(f"only http and https URLs can be fetched, not {url!r}")
        if parts.username is not None or parts.password is not None:
            raise UrlRefused("URLs with a user name or password are not fetched")
        if not parts.hostname:
            raise UrlRefused(f"{url!r} has no host")
        try:
            host = parts.hostname.encode("idna").decode("ascii")
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in self.resolver(host, port)]
        except (UnicodeError, OSError, ValueError) as e:
            raise FetchError(f"cannot resolve {parts.hostname}: {e}", UNREACHABLE) from None
        if not addresses:
            raise FetchError(f"{parts.hostname} has no address", UNREACHABLE)
        for address in addresses:
            why = None if any(address in n for n in self.allow) else refusal(address)
            if why and parts.hostname.strip("[]") == str(address):
                raise UrlRefused(f"{address} is {why}: not fetched")
            if why:
                raise UrlRefused(f"{parts.hostname} resolves to {address}, {why}: not fetched")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Target(url.strip(), parts.scheme, host, port, path, str(addresses[0]))

    def fetch(self, url: str, out: BinaryIO, *, pdf: bool = False) -> Fetched:
        """Write the body at `url` to `out`, following at most MAX_REDIRECTS redirects, each
        checked. With `pdf`, a body that does not start as a PDF fails with reason not_pdf.
        Raises UrlRefused or FetchError (reason: timeout, too_large, not_pdf, http_error,
        unreachable, too_many_redirects)."""
        deadline = time.monotonic() + self.timeout
        target = self.check(url)
        for _ in range(MAX_REDIRECTS + 1):
            pool, response = self._request(target, deadline)
            try:
                location = response.headers.get("Location")
                if response.status in (301, 302, 303, 307, 308) and location:
                    target = self.check(urljoin(target.url, location))
                    continue
                if response.status >= 400:
                    raise FetchError(
                        f"{target.url} answered {response.status} {response.reason}", HTTP_ERROR
                    )
                size = self._copy(response, out, deadline, pdf=pdf, url=target.url)
                return Fetched(
                    url=url,
                    final_url=target.url,
                    retrieved=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                    content_type=response.headers.get("Content-Type", ""),
                    size=size,
                    filename=Path(urlsplit(target.url).path).name,
                )
            finally:
                response.close()
                pool.close()
        raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times", TOO_MANY_REDIRECTS)

    def _request(
        self, target: Target, deadline: float
    ) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"fetching took longer than {self.timeout:g} s", TIMEOUT)
        timeout = urllib3.Timeout(connect=min(left, 30.0), read=left)
        kwargs: dict = {"timeout": timeout, "retries": False, "maxsize": 1}
        if target.scheme == "https":
            # Connect to the checked address; verify the certificate for the name.
            pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                target.address, target.port, server_hostname=target.host,
                assert_hostname=target.host, cert_reqs="CERT_REQUIRED", ca_certs=self.ca_file,
                **kwargs,
            )  # fmt: skip
        else:
            pool = urllib3.HTTPConnectionPool(target.address, target.port, **kwargs)
        default = target.port == (443 if target.scheme == "https" else 80)
        headers = {
            "Host": target.host if default else f"{target.host}:{target.port}",
            "User-Agent": USER_AGENT,
            "Accept": "application/pdf, application/atom+xml, application/rss+xml, */*;q=0.5",
        }
        try:
            response = pool.urlopen(
                "GET", target.path, headers=headers, redirect=False,
                preload_content=False, assert_same_host=False,
            )  # fmt: skip
            return pool, response
        except urllib3.exceptions.NewConnectionError as e:  # (a subclass of the timeout)
            pool.close()
            raise FetchError(f"cannot connect to {target.url}: {_cause(e)}", UNREACHABLE) from None
        except urllib3.exceptions.TimeoutError:
            pool.close()
            raise FetchError(f"{target.url} did not answer in time", TIMEOUT) from None
        except urllib3.exceptions.HTTPError as e:
            pool.close()
            raise FetchError(f"cannot fetch {target.url}: {_cause(e)}", UNREACHABLE) from None

    def _copy(
        self, response: urllib3.BaseHTTPResponse, out: BinaryIO, deadline: float, *, pdf: bool,
        url: str,
    ) -> int:  # fmt: skip
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(
                f"{url} is {int(length)} bytes; the limit is {self.max_bytes} bytes", TOO_LARGE
            )
        size, head = 0, b""
        for chunk in _chunks(response, url):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} is over the limit of {self.max_bytes} bytes", TOO_LARGE)
            if time.monotonic() > deadline:
                raise FetchError(f"fetching took longer than {self.timeout:g} s", TIMEOUT)
            if pdf and len(head) < PDF_HEADER_WINDOW:
                head += chunk[:PDF_HEADER_WINDOW]
                if len(head) >= PDF_HEADER_WINDOW and b"%PDF-" not in head:
                    raise FetchError(f"{url} is not a PDF (no %PDF header)", NOT_PDF)
            out.write(chunk)
        if pdf and b"%PDF-" not in head:
            raise FetchError(f"{url} is not a PDF (no %PDF header)", NOT_PDF)
        return size


def _chunks(response: urllib3.BaseHTTPResponse, url: str) -> Iterator[bytes]:
    try:
        yield from response.stream(CHUNK)
    except urllib3.exceptions.TimeoutError:
        raise FetchError(f"{url} stopped sending in time", TIMEOUT) from None
    except urllib3.exceptions.HTTPError as e:
        raise FetchError(f"cannot fetch {url}: {_cause(e)}", UNREACHABLE) from None


def _cause(error: Exception) -> str:
    """The innermost reason urllib3 gives (a refused connection, a bad certificate)."""
    reason = getattr(error, "reason", None)
    return str(reason or error)
