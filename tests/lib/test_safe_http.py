"""Addresses a member gives, or an answer names: public ones only, checked at connect."""

import io
from urllib.parse import urlsplit

import httpcore
import httpx
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from studio.generations.models import Status
from studio.lib import safe_http
from studio.lib.images import check_image_url
from tests.generations.helpers import drive, queued, refreshed
from tests.lib.fakes import PUBLIC, PUBLIC_TOO, FakeDns, FakeNetwork, http_response, redirect_to


@pytest.fixture
def production(settings):
    """As deployed against the real API: private addresses are not allowed."""
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    return settings


@pytest.fixture
def dns(monkeypatch):
    return FakeDns(monkeypatch)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 64), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


# --- which addresses are public ---------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "0.1.2.3", "192.0.0.8", "224.0.0.1", "239.255.255.250",
    "240.0.0.1", "255.255.255.255",
    "::", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "fec0::1", "ff02::1", "ff0e::1",
    "::ffff:127.0.0.1",             # IPv4-mapped
    "::ffff:169.254.169.254",
    "::127.0.0.1",                  # IPv4-compatible: Python says ::7f00:1 is global
    "::ffff:0:127.0.0.1",           # IPv4-translated
    "64:ff9b::127.0.0.1",           # NAT64 to loopback
    "64:ff9b::10.0.0.1",
    "64:ff9b:1::8.8.8.8",           # local-use NAT64
    "2002:7f00:1::1",               # 6to4 around 127.0.0.1
    "2002:a00:1::",                 # 6to4 around 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
])
def test_addresses_outside_the_public_internet_are_refused(address):
    assert not safe_http.is_public(safe_http.ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", PUBLIC, "2606:4700:4700::1111",
    "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
])
def test_public_addresses_are_accepted_also_when_carried_in_ipv6(address):
    assert safe_http.is_public(safe_http.ipaddress.ip_address(address))


# --- addresses typed by a person ----------------------------------------------------------


@pytest.mark.parametrize(("url", "words"), [
    ("http://[::1", "square brackets"),
    ("http://" + "a" * 64 + ".example.com/", "longer than 63 characters"),
    ("http://℀.com/", "characters a host cannot have"),
    ("http://exa mple.com/", "characters or empty parts"),
    ("http://a..b/", "characters or empty parts"),
    ("ftp://example.com/file", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("example.com/image.png", "http:// or https://"),
    ("http://example.com:99999/", "port must be a number"),
    ("http://example.com:http/", "port must be a number"),
    ("http:///path-only", "no host name"),
])
def test_malformed_urls_are_refused_with_a_sentence(url, words):
    with pytest.raises(ValidationError) as refused:
        safe_http.parse_url(url)
    assert words in refused.value.messages[0]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/", "http://localhost/", "http://2130706433/",
    "http://[::1]/", "http://[::127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/", "http://169.254.169.254/latest/meta-data/",
    "http://0/", "https://internal.example.test/",
])
def test_private_hosts_are_refused_when_typed(production, dns, url):
    dns.answer("internal.example.test", "10.1.2.3")
    with pytest.raises(ValidationError) as refused:
        safe_http.check_url(url)
    assert "not public" in refused.value.messages[0]


def test_a_name_with_one_private_address_among_public_ones_is_refused(production, dns):
    dns.answer("mixed.example.test", [PUBLIC, "127.0.0.1"])
    with pytest.raises(ValidationError, match="not public"):
        safe_http.check_url("https://mixed.example.test/")


def test_public_host_is_accepted_when_typed(production, dns):
    dns.answer("api.example.test", [PUBLIC, "2606:4700:4700::1111"])
    assert safe_http.check_url("https://api.example.test/").raw_host == b"api.example.test"


def test_a_name_that_does_not_resolve_is_explained(production):
    with pytest.raises(ValidationError, match="does not resolve"):
        safe_http.check_url("https://no-such-host.invalid/")


def test_operator_may_allow_private_addresses(settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    assert safe_http.check_url("http://127.0.0.1:8000/").port == 8000


# --- the check when connecting: DNS rebinding ---------------------------------------------


def guarded_get(url: str, network: FakeNetwork) -> httpx.Response:
    transport = safe_http.PublicOnlyTransport(connect_with=network)
    with httpx.Client(transport=transport, follow_redirects=True) as client:
        return client.get(url)


def test_connection_goes_to_the_address_that_was_checked(dns):
    # Public when looked up, loopback on any second look-up: there must be none.
    dns.answer("rebind.example.test", PUBLIC, "127.0.0.1")
    network = FakeNetwork(http_response(200, b"hello"))
    response = guarded_get("http://rebind.example.test/x", network)
    assert response.text == "hello"
    assert network.connected == [(PUBLIC, 80)]
    assert dns.asked == ["rebind.example.test"]


def test_private_answer_at_connect_time_is_refused_after_a_public_one_at_the_form(
        production, dns):
    dns.answer("rebind.example.test", PUBLIC, "127.0.0.1")
    safe_http.check_url("http://rebind.example.test/")  # the form saw a public address
    network = FakeNetwork(http_response(200, b"internal secrets"))
    with pytest.raises(safe_http.NotPublic):
        guarded_get("http://rebind.example.test/", network)
    assert network.connected == []


def test_a_refused_name_is_not_connected_to_even_if_it_turns_public(dns):
    dns.answer("rebind.example.test", "127.0.0.1", PUBLIC)
    network = FakeNetwork(http_response(200))
    with pytest.raises(safe_http.NotPublic):
        guarded_get("http://rebind.example.test/", network)
    assert network.connected == []


def test_ip_literal_urls_are_checked_without_a_look_up(dns):
    network = FakeNetwork(http_response(200))
    for url in ("http://127.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://[::127.0.0.1]/",
                "http://[2002:7f00:1::1]/", "http://[64:ff9b::7f00:1]/"):
        with pytest.raises(safe_http.NotPublic):
            guarded_get(url, network)
    assert network.connected == []


def test_next_public_address_is_tried_when_the_first_does_not_answer(dns):
    dns.answer("two.example.test", [PUBLIC, PUBLIC_TOO])
    network = FakeNetwork(httpcore.ConnectError("refused"), http_response(200, b"ok"))
    assert guarded_get("http://two.example.test/", network).text == "ok"
    assert network.connected == [(PUBLIC, 80), (PUBLIC_TOO, 80)]


def test_tls_is_verified_against_the_host_name_not_the_address(dns):
    dns.answer("api.example.test", PUBLIC)
    names = []

    class TlsStream(httpcore.MockStream):
        def start_tls(self, ssl_context, server_hostname=None, timeout=None):
            names.append(server_hostname)
            return self

    network = FakeNetwork(http_response(200), stream=TlsStream)
    guarded_get("https://api.example.test/", network)
    assert network.connected == [(PUBLIC, 443)]
    assert names == ["api.example.test"]


@pytest.mark.django_db(transaction=True)
def test_a_real_loopback_server_is_refused_only_by_the_guard(live_server):
    url = f"{live_server.url}/static/icons/studio.png"
    with httpx.Client(transport=safe_http.PublicOnlyTransport()) as guarded, \
            pytest.raises(safe_http.NotPublic):
        guarded.get(url)
    assert httpx.get(url).status_code == 200


# --- the I2V image URL: redirects and words --------------------------------------------------


def test_redirect_to_a_private_address_is_refused(production, dns, monkeypatch):
    dns.answer("images.example.test", PUBLIC)
    network = FakeNetwork(redirect_to("http://127.0.0.1:8000/admin/"),
                          http_response(200, png())).instead_of_sockets(monkeypatch)
    with pytest.raises(ValidationError, match="not public"):
        check_image_url("http://images.example.test/cat.png")
    assert network.connected == [(PUBLIC, 80)]


def test_redirect_to_a_name_that_resolves_privately_is_refused(production, dns, monkeypatch):
    dns.answer("images.example.test", PUBLIC)
    dns.answer("metadata.example.test", "169.254.169.254")
    network = FakeNetwork(redirect_to("http://metadata.example.test/latest/"),
                          http_response(200, png())).instead_of_sockets(monkeypatch)
    with pytest.raises(ValidationError, match="not public"):
        check_image_url("http://images.example.test/cat.png")
    assert network.connected == [(PUBLIC, 80)]


def test_redirects_between_public_addresses_are_followed(production, dns, monkeypatch):
    dns.answer("images.example.test", PUBLIC)
    dns.answer("cdn.example.test", PUBLIC_TOO)
    network = FakeNetwork(redirect_to("http://cdn.example.test/cat.png"),
                          http_response(200, png())).instead_of_sockets(monkeypatch)
    check_image_url("http://images.example.test/cat.png")
    assert network.connected == [(PUBLIC, 80), (PUBLIC_TOO, 80)]


@pytest.mark.parametrize(("failure", "words"), [
    (httpcore.ConnectTimeout("timed out"), "That address took too long to answer."),
    (httpcore.ConnectError("connection refused"), "Could not connect to that address."),
])
def test_fetch_errors_are_told_in_words(production, dns, monkeypatch, failure, words):
    dns.answer("images.example.test", PUBLIC)
    FakeNetwork(failure).instead_of_sockets(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        check_image_url("http://images.example.test/cat.png")
    assert refused.value.messages == [words]


def test_image_host_that_does_not_resolve_is_explained(production):
    with pytest.raises(ValidationError, match="does not resolve"):
        check_image_url("http://no-such-host.invalid/cat.png")


# --- a video_url an answer names ---------------------------------------------------------------


@pytest.fixture
def video_world(sandbox_url, fake_clock, settings):
    settings.STUDIO_PUBLIC_URL = sandbox_url.removesuffix("/sandbox")
    settings.SANDBOX_VIDEO_SHAPE = "url"
    return fake_clock


def video_url_on_another_host(monkeypatch):
    """The sandbox names its clip by 127.0.0.1 rather than its own host name: the same
    server, but another origin than the API's."""
    from studio.sandbox import views

    own_url = views.video_url

    def elsewhere(request, usage):
        url = urlsplit(own_url(request, usage))
        return url._replace(netloc=f"127.0.0.1:{url.port}").geturl()

    monkeypatch.setattr(views, "video_url", elsewhere)


@pytest.mark.django_db(transaction=True)
def test_video_at_a_private_address_off_the_api_host_fails_the_generation(
        video_world, team_a, owner, production, monkeypatch, sandbox_url):
    assert urlsplit(sandbox_url).hostname == "localhost"
    video_url_on_another_host(monkeypatch)
    video = queued(team_a, owner, "video_t2v", prompt="an ocean wave", duration=1)
    drive(video_world)
    video = refreshed(video)
    assert video.status == Status.FAILED
    assert video.error_code == "malformed_answer"
    assert "127.0.0.1, which is not a public address" in video.error_message
    assert not video.media


@pytest.mark.django_db(transaction=True)
def test_video_off_the_api_host_is_fetched_when_the_operator_allows_private(
        video_world, team_a, owner, settings, monkeypatch):
    settings.STUDIO_ALLOW_PRIVATE_URLS = True
    video_url_on_another_host(monkeypatch)
    video = queued(team_a, owner, "video_t2v", prompt="an ocean wave", duration=1)
    drive(video_world)
    assert refreshed(video).status == Status.SUCCEEDED, refreshed(video).error_message
