"""A publisher's web site on loopback, for fetch and follow tests: PDFs, redirects, a slow
answer, an oversized file, a page that is not a PDF, an RSS feed and a sitemap.

`Publisher.files` maps a path to (content type, bytes); the special paths are handled in
`_Handler`. Each request is logged in `Publisher.requests`.
"""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLOW_S = 5.0  # how long /slow waits before it answers


@dataclass
class Publisher:
    """The site's content and what was asked of it."""

    base: str = ""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def add(self, path: str, body: bytes, content_type: str = "application/pdf") -> str:
        """Serve `body` at `path`; returns its URL."""
        self.files[path] = (content_type, body)
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    site: Publisher

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.site.requests.append(self.path)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/redirect":  # /redirect?to=URL[&n=hops]
            hops = int(query.get("n", "1"))
            target = query["to"] if hops <= 1 else f"/redirect?to={query['to']}&n={hops - 1}"
            self._answer(302, b"", "text/plain", {"Location": target})
        elif url.path == "/slow":
            time.sleep(SLOW_S)
            self._answer(200, b"%PDF-1.4 late", "application/pdf")
        elif url.path == "/endless":  # a PDF that never ends, without a Content-Length
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            try:
                self.wfile.write(b"%PDF-1.4\n")
                for _ in range(10_000):  # bounded: 640 MB at most
                    self.wfile.write(b"0" * 65536)
            except OSError:  # the client hung up, as it should
                pass
        elif url.path in self.site.files:
            content_type, body = self.site.files[url.path]
            self._answer(200, body, content_type)
        else:
            self._answer(404, b"not here", "text/plain")

    def _answer(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def publisher(tls: tuple[Path, Path] | None = None) -> Iterator[Publisher]:
    """A running site on 127.0.0.1 and a free port, stopped afterwards; over HTTPS with
    `tls` (certificate, key)."""
    site = Publisher()
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    site.base = f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


def rss(items: list[dict[str, str]], title: str = "Reports") -> bytes:
    """An RSS 2.0 feed; each item may give title, link, pdf (an enclosure), date, author."""
    parts = [f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>"]
    for item in items:
        parts.append("<item>")
        for key, tag in (("title", "title"), ("link", "link"), ("date", "pubDate"),
                         ("author", "author"), ("guid", "guid")):  # fmt: skip
            if key in item:
                parts.append(f"<{tag}>{item[key]}</{tag}>")
        if "pdf" in item:
            parts.append(f"<enclosure url='{item['pdf']}' type='application/pdf' length='1'/>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def sitemap(urls: list[str]) -> bytes:
    """A sitemap listing `urls`."""
    rows = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{rows}</urlset>"
    ).encode()


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for `name` signed by itself, and its key: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    return cert_path, key_path
