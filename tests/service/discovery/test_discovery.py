"""Finding the server from the address, against a real DNS server (dnsmasq) and an HTTPS
server with autoconfig documents, both on loopback: the providers' table, Microsoft 365 and
Google Workspace by MX, RFC 6186 SRV records, the autoconfig document, and a clear message
when nothing answers (a silent DNS server included)."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from collections.abc import Iterator

import pytest

from ndrguard.service.discovery import autoconfig
from ndrguard.service.discovery.find import Lookups, discover
from tests.service.imap_util import ndrguard, service_env
from tests.support.dnsmasq import Dnsmasq, dnsmasq_missing_reason, silent_udp_port
from tests.support.procs import LOOPBACK_V4

DOMAINS = ["srv.test", "starttls.test", "dot.test", "m365.test", "gw.test", "ac.test",
           "none.test", "plainonly.test"]  # fmt: skip

AUTOCONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="ac.test">
    <domain>ac.test</domain>
    <incomingServer type="pop3">
      <hostname>pop.ac.test</hostname><port>995</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>plain.ac.test</hostname><port>143</port><socketType>plain</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.ac.test</hostname><port>993</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username>
    </incomingServer>
  </emailProvider>
</clientConfig>
"""

PLAIN_ONLY = AUTOCONFIG.replace("imap.ac.test</hostname><port>993</port><socketType>SSL",
                                "imap.ac.test</hostname><port>143</port><socketType>plain")


@pytest.fixture(scope="module")
def dns_server() -> Iterator[Dnsmasq]:
    reason = dnsmasq_missing_reason()
    if reason:
        pytest.skip(reason)
    with Dnsmasq(
        srv=[("_imaps._tcp.srv.test", "mail.srv.test", 993),
             ("_imap._tcp.starttls.test", "imap.starttls.test", 143)],
        mx=[("m365.test", "m365-test.mail.protection.outlook.com"),
            ("gw.test", "aspmx.l.google.com"), ("srv.test", "mx.srv.test")],
        domains=DOMAINS,
    ) as server:  # fmt: skip
        yield server


@pytest.fixture(scope="module")
def autoconfig_server(tls_certificate) -> Iterator[str]:
    """An HTTPS server with the documents; yields the URL template for Lookups."""
    documents = {"/ac.test/mail/config-v1.1.xml": AUTOCONFIG,
                 "/plainonly.test/mail/config-v1.1.xml": PLAIN_ONLY}  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            doc = documents.get(self.path.split("?")[0])
            self.send_response(200 if doc else 404)
            body = (doc or "not here").encode()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer((LOOPBACK_V4, 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_certificate.cert, tls_certificate.key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        port = httpd.server_address[1]
        yield f"https://{LOOPBACK_V4}:{port}/{{domain}}/mail/config-v1.1.xml?emailaddress={{address}}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def lookups(dns_server, autoconfig_server, tls_certificate) -> Lookups:
    return Lookups(dns_server=(LOOPBACK_V4, dns_server.port),
                   autoconfig_urls=(autoconfig_server,), ca_file=tls_certificate.cert)


def test_large_providers_come_from_the_table_without_any_lookup():
    silent, port = silent_udp_port()
    try:
        quiet = Lookups(dns_server=(LOOPBACK_V4, port), autoconfig_urls=())
        began = time.monotonic()
        for address, host, oauth in (("a@gmail.com", "imap.gmail.com", "google"),
                                     ("a@googlemail.com", "imap.gmail.com", "google"),
                                     ("a@hotmail.de", "outlook.office365.com", "microsoft"),
                                     ("a@icloud.com", "imap.mail.me.com", None),
                                     ("a@web.de", "imap.web.de", None),
                                     ("a@yandex.ru", "imap.yandex.com", None)):  # fmt: skip
            found = discover(address, quiet).found
            assert found is not None and found.host == host and found.oauth == oauth, address
            assert found.port == 993 and found.security == "tls"
        assert time.monotonic() - began < 1  # the silent DNS server was never asked
    finally:
        silent.close()
    gmail = discover("a@gmail.com", quiet).found
    assert gmail is not None and gmail.sent == "[Gmail]/Sent Mail"


def test_hosted_domains_found_by_their_mx(lookups):
    m365 = discover("boss@m365.test", lookups)
    assert m365.found is not None and m365.found.host == "outlook.office365.com"
    assert m365.found.oauth == "microsoft" and m365.found.sent == "Sent Items"
    assert "MX host m365-test.mail.protection.outlook.com" in m365.report()
    workspace = discover("boss@gw.test", lookups).found
    assert workspace is not None and workspace.host == "imap.gmail.com"


def test_srv_records(lookups):
    tls = discover("me@srv.test", lookups)
    assert tls.found is not None
    assert (tls.found.host, tls.found.port, tls.found.security) == ("mail.srv.test", 993, "tls")
    assert "DNS SRV record _imaps._tcp.srv.test" in tls.report()
    assert "mx.srv.test" in "; ".join(tls.tried)  # its MX was looked at first, not known
    starttls = discover("me@starttls.test", lookups).found
    assert starttls is not None and starttls.security == "starttls" and starttls.port == 143


def test_autoconfig_document(lookups):
    found = discover("jo@ac.test", lookups)
    assert found.found is not None
    # The plain-text entry listed first is passed over; the login is the local part.
    assert (found.found.host, found.found.port, found.found.security, found.found.username) \
        == ("imap.ac.test", 993, "tls", "jo")  # fmt: skip
    assert "autoconfig document https://127.0.0.1:" in found.report()


def test_nothing_found_says_what_was_tried(lookups):
    result = discover("x@none.test", lookups)
    assert result.found is None
    text = result.report()
    for part in ("no MX record for none.test", "no SRV record for _imaps._tcp.none.test",
                 "no SRV record for _imap._tcp.none.test", "HTTP 404",
                 "give --host, --port and --security"):  # fmt: skip
        assert part in text, text
    plain = discover("x@plainonly.test", lookups)
    assert plain.found is None and "names no IMAP server ndrguard can use" in plain.report()


def test_a_dns_server_that_never_answers_costs_seconds_not_minutes(autoconfig_server):
    silent, port = silent_udp_port()
    try:
        quiet = Lookups(dns_server=(LOOPBACK_V4, port), autoconfig_urls=(autoconfig_server,),
                        dns_timeout=1.0)
        began = time.monotonic()
        result = discover("x@nowhere.test", quiet)
        took = time.monotonic() - began
    finally:
        silent.close()
    assert result.found is None
    assert "the DNS server did not answer for nowhere.test MX in 1 s" in result.report()
    assert took < 8, took  # three lookups of 1 s and one refused HTTPS connection


def test_autoconfig_parser_refuses_non_xml():
    with pytest.raises(ValueError):
        autoconfig.parse(b"<html>nope", "a@b.test")


def test_account_add_finds_the_server_and_every_field_can_be_overridden(
    dns_server, tmp_path
):
    env = service_env(tmp_path / "home")
    dns = f"{LOOPBACK_V4}:{dns_server.port}"
    done = ndrguard(env, "account", "add", "a", "--username", "me@srv.test", "--dns-server",
                    dns, "--password-stdin", "--no-test", stdin="pw\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "found mail.srv.test:993 (tls) for me@srv.test in the DNS SRV record" in done.stderr
    config = (tmp_path / "home" / "config.toml").read_text()
    assert 'host = "mail.srv.test"' in config and "port = 993" in config
    done = ndrguard(env, "account", "add", "b", "--username", "me@srv.test", "--dns-server",
                    dns, "--port", "10993", "--password-stdin", "--no-test", stdin="pw\n")
    assert done.returncode == 0, done.stderr
    assert "port = 10993" in (tmp_path / "home" / "config.toml").read_text()
    # Microsoft 365 by MX: the user is told to sign in with OAuth.
    done = ndrguard(env, "account", "add", "c", "--username", "boss@m365.test",
                    "--dns-server", dns, "--password-stdin", "--no-test", stdin="pw\n")
    assert done.returncode == 0 and "add --oauth microsoft" in done.stderr, done.stderr
    # Nothing found: a clear refusal, nothing written.
    done = ndrguard(env, "account", "add", "d", "--username", "x@none.test", "--dns-server",
                    dns, "--autoconfig-url", "https://127.0.0.1:9/{domain}",
                    "--password-stdin", "--no-test", stdin="pw\n")  # fmt: skip
    assert done.returncode != 0
    assert "no IMAP server found for x@none.test" in done.stderr
    assert "give --host" in done.stderr
    assert 'name = "d"' not in (tmp_path / "home" / "config.toml").read_text()
