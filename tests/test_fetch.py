"""The safe fetcher against a real HTTP server on loopback: redirects, limits, and the refusal
of every address form that reaches inside (checked after DNS, at every redirect)."""

from __future__ import annotations

import io
import ipaddress
import time

import pytest

from indexer.errors import FetchError, UrlRefused
from indexer.fetch import MAX_REDIRECTS, Fetcher, refusal
from tests.publisher import Publisher, publisher, self_signed

MB = 1024 * 1024
LOOPBACK = "127.0.0.1/32"


@pytest.fixture(scope="module")
def site() -> Publisher:
    with publisher() as site:
        site.add("/report.pdf", b"%PDF-1.4\n" + b"x" * 5000)
        site.add("/page.html", b"<html>a landing page</html>", "text/html")
        site.add("/big.pdf", b"%PDF-1.4\n" + b"x" * (2 * MB))
        yield site


def fetcher(**kw: object) -> Fetcher:
    options: dict = {"timeout": 10.0, "max_bytes": MB, "allow": LOOPBACK} | kw
    return Fetcher(**options)


def fetch(f: Fetcher, url: str, **kw: bool) -> tuple[bytes, object]:
    out = io.BytesIO()
    result = f.fetch(url, out, **kw)
    return out.getvalue(), result


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/report.pdf",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/report.pdf",  # 127.0.0.1 in hex, short form
        "http://[::ffff:127.0.0.1]/report.pdf",  # IPv4-mapped IPv6
        "http://localhost/report.pdf",  # a name resolving to 127.0.0.1
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
    ],
)
def test_addresses_inside_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(UrlRefused, match=r"(resolves to .*|is )(an?|the) .*address: not fetched"):
        fetcher(allow="").fetch(url, io.BytesIO())


@pytest.mark.parametrize(
    "url", ["ftp://example.org/a.pdf", "file:///etc/passwd", "http://user:pw@example.org/",
            "http:///nohost", "http://[::1/"],
)  # fmt: skip
def test_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused):
        fetcher().check(url)


@pytest.mark.parametrize(
    "address, why",
    [
        ("127.0.0.1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 around 169.254.169.254
        ("169.254.169.254", "metadata"), ("100.100.100.200", "metadata"),
        ("fd00:ec2::254", "metadata"), ("100.64.0.1", "not a public"),
        ("239.1.1.1", "multicast"), ("240.0.0.1", "reserved"), ("::", "unspecified"),
        ("fc00::1", "private"), ("172.16.5.4", "private"),
    ],
)  # fmt: skip
def test_refusal_names_the_kind_of_address(address: str, why: str) -> None:
    assert why in (refusal(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_a_name_with_one_inside_address_among_public_ones_is_refused() -> None:
    f = Fetcher(timeout=5, max_bytes=MB, resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    with pytest.raises(UrlRefused, match="127.0.0.1, a loopback address"):
        f.check("http://reports.example/a.pdf")


def test_the_connection_goes_to_the_address_that_was_checked(site: Publisher) -> None:
    """A resolver that changes its answer after the check (DNS rebinding) is asked once per
    URL, and the request reaches the checked address with the name in its Host header."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    f = fetcher(resolver=lambda host, port: next(answers))
    port = site.base.rsplit(":", 1)[1]
    body, result = fetch(f, f"http://reports.example:{port}/report.pdf", pdf=True)
    assert body.startswith(b"%PDF-1.4") and len(body) == 5009
    assert next(answers) == ["10.0.0.1"]  # the second answer was never asked for


def test_redirects_are_followed_and_the_final_url_recorded(site: Publisher) -> None:
    body, result = fetch(fetcher(), f"{site.base}/redirect?to=/report.pdf&n=3", pdf=True)
    assert result.final_url == f"{site.base}/report.pdf"  # type: ignore[attr-defined]
    assert result.filename == "report.pdf"  # type: ignore[attr-defined]
    assert len(body) == 5009


def test_more_than_five_redirects_fail(site: Publisher) -> None:
    fetch(fetcher(), f"{site.base}/redirect?to=/report.pdf&n={MAX_REDIRECTS}")
    with pytest.raises(FetchError) as caught:
        fetch(fetcher(), f"{site.base}/redirect?to=/report.pdf&n={MAX_REDIRECTS + 1}")
    assert caught.value.reason == "too_many_redirects"


def test_a_redirect_to_the_metadata_address_is_refused(site: Publisher) -> None:
    url = f"{site.base}/redirect?to=http://169.254.169.254/latest/meta-data/"
    with pytest.raises(UrlRefused, match="169.254.169.254 is a cloud metadata address"):
        fetch(fetcher(), url)


def test_a_slow_server_times_out_within_the_limit(site: Publisher) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(fetcher(timeout=1.0), f"{site.base}/slow")
    assert caught.value.reason == "timeout"
    assert time.monotonic() - start < 4


def test_oversized_files_are_cut_off(site: Publisher) -> None:
    with pytest.raises(FetchError) as declared:  # Content-Length over the limit
        fetch(fetcher(), f"{site.base}/big.pdf")
    with pytest.raises(FetchError) as streamed:  # no Content-Length, bytes without end
        fetch(fetcher(), f"{site.base}/endless")
    assert declared.value.reason == streamed.value.reason == "too_large"


def test_a_page_that_is_not_a_pdf_fails_when_a_pdf_is_wanted(site: Publisher) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(fetcher(), f"{site.base}/page.html", pdf=True)
    assert caught.value.reason == "not_pdf"
    body, _ = fetch(fetcher(), f"{site.base}/page.html")  # a feed fetch takes any body
    assert b"landing" in body


def test_http_errors_and_unreachable_servers_have_reasons(site: Publisher) -> None:
    with pytest.raises(FetchError) as missing:
        fetch(fetcher(), f"{site.base}/nothing.pdf")
    with pytest.raises(FetchError) as closed:
        fetch(fetcher(), "http://127.0.0.1:9/report.pdf")
    assert (missing.value.reason, closed.value.reason) == ("http_error", "unreachable")
    assert "404" in str(missing.value)


def test_https_connects_to_the_checked_address_and_verifies_the_name(tmp_path) -> None:
    """TLS goes to the pinned address with the name in SNI and in the certificate check: the
    right certificate passes, one for another name fails."""
    cert, key = self_signed(tmp_path, "reports.example")
    other, _ = self_signed(tmp_path, "other.example")
    with publisher(tls=(cert, key)) as site:
        site.add("/r.pdf", b"%PDF-1.7\nover TLS")
        port = site.base.rsplit(":", 1)[1]
        resolve = lambda host, port: ["127.0.0.1"]  # noqa: E731
        trusted = fetcher(resolver=resolve, ca_file=str(cert))
        body, result = fetch(trusted, f"https://reports.example:{port}/r.pdf", pdf=True)
        assert body == b"%PDF-1.7\nover TLS"
        with pytest.raises(FetchError) as wrong_ca:
            fetch(fetcher(resolver=resolve, ca_file=str(other)),
                  f"https://reports.example:{port}/r.pdf")  # fmt: skip
        with pytest.raises(FetchError) as wrong_name:
            fetch(fetcher(resolver=lambda h, p: ["127.0.0.1"], ca_file=str(cert)),
                  f"https://other.example:{port}/r.pdf")  # fmt: skip
    assert "certificate" in str(wrong_ca.value).lower()
    assert "other.example" in str(wrong_name.value) or "hostname" in str(wrong_name.value).lower()
