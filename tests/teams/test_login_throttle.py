"""The pause after failed logins: every login form, one count for every web worker,
keyed on the real client behind the proxies, and no long lockout by a stranger."""

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory

from studio.lib.client_address import client_address
from studio.teams.login import NAME_ATTEMPTS, pair_key
from tests.conftest import PASSWORD

PAUSED = "Too many failed attempts for this name"


def log_in(client: Client, *, password: str = PASSWORD, url: str = "/accounts/login/",
           username: str = "olivia", forwarded_for: str = ""):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(url, {"username": username, "password": password}, headers=headers)


def fail(client: Client, times: int, **kwargs) -> None:
    for _ in range(times):
        response = log_in(client, password="wrong", **kwargs)
        assert response.status_code == 200 and PAUSED not in response.content.decode()


def is_logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_admin_login_pauses_after_repeated_failures(owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    browser = Client()
    fail(browser, 5, url="/admin/login/")
    paused = log_in(browser, url="/admin/login/").content.decode()
    assert PAUSED in paused and "Try again in 30 seconds" in paused
    assert "_auth_user_id" not in browser.session


def test_admin_and_member_logins_share_one_count(owner):
    owner.is_staff = True
    owner.save()
    browser = Client()
    fail(browser, 3, url="/admin/login/")
    fail(browser, 2, url="/accounts/login/")
    assert PAUSED in log_in(browser, url="/admin/login/").content.decode()


def test_failures_are_kept_where_another_web_worker_reads_them(owner, settings):
    fail(Client(), 3)
    # A new connection to the shared store, as a second process would open it; a
    # process's memory cache would leave it empty.
    if settings.REDIS_URL:
        other_worker = RedisCache(settings.REDIS_URL, {})
    else:
        other_worker = DatabaseCache("studio_cache", {})
    assert other_worker.get(pair_key("olivia", "127.0.0.1"))["count"] == 3


def test_behind_one_proxy_each_client_is_counted_on_its_own(owner, settings):
    settings.STUDIO_PROXY_COUNT = 1
    fail(Client(), 5, forwarded_for="203.0.113.5")
    # The router appends the real address; what a client puts before it is ignored.
    forged = log_in(Client(), forwarded_for="198.51.100.7, 203.0.113.5")
    assert PAUSED in forged.content.decode()
    assert is_logged_in(log_in(Client(), forwarded_for="198.51.100.7"))


def test_without_proxies_a_forwarded_header_buys_no_fresh_guesses(owner, settings):
    settings.STUDIO_PROXY_COUNT = 0
    fail(Client(), 5, forwarded_for="203.0.113.5")
    assert PAUSED in log_in(Client(), forwarded_for="198.51.100.7").content.decode()


def test_a_strangers_guesses_from_elsewhere_only_briefly_slow_the_owner(
        owner, settings, fake_clock):
    settings.STUDIO_PROXY_COUNT = 1
    for stranger in range(NAME_ATTEMPTS // 4):  # four each: under the pair's pause
        fail(Client(), 4, forwarded_for=f"203.0.113.{stranger}")
    slowed = log_in(Client(), forwarded_for="198.51.100.7").content.decode()
    assert "one try every 30 seconds" in slowed and "Try again in 30 seconds" in slowed
    fake_clock.advance(30)
    assert is_logged_in(log_in(Client(), forwarded_for="198.51.100.7"))


def test_many_addresses_get_one_guess_every_30_seconds_between_them(owner, settings,
                                                                    fake_clock):
    settings.STUDIO_PROXY_COUNT = 1
    for stranger in range(NAME_ATTEMPTS // 4):
        fail(Client(), 4, forwarded_for=f"203.0.113.{stranger}")
    fake_clock.advance(30)
    fail(Client(), 1, forwarded_for="192.0.2.1")
    assert PAUSED in log_in(Client(), forwarded_for="192.0.2.2").content.decode()


def test_the_pause_doubles_with_each_further_failure_up_to_the_limit(owner, fake_clock):
    browser = Client()
    fail(browser, 5)
    for wait, words in ((30, "30 seconds"), (60, "1 minute"), (120, "2 minutes"),
                        (240, "4 minutes"), (480, "8 minutes"), (900, "15 minutes"),
                        (900, "15 minutes")):
        assert f"Try again in {words}." in log_in(browser).content.decode()
        fake_clock.advance(wait - 1)
        assert "Try again in 1 second." in log_in(browser).content.decode()
        fake_clock.advance(1)
        fail(browser, 1)


def test_an_attempt_while_paused_does_not_lengthen_the_pause(owner, fake_clock):
    browser = Client()
    fail(browser, 5)
    for _ in range(3):
        fake_clock.advance(9)
        assert "Try again in" in log_in(browser).content.decode()
    fake_clock.advance(3)
    assert is_logged_in(log_in(browser))


def test_a_successful_login_clears_the_count(owner):
    fail(Client(), 4)
    assert is_logged_in(log_in(Client()))
    fail(Client(), 4)
    assert is_logged_in(log_in(Client()))


def test_failures_are_forgotten_after_a_quiet_while(owner, fake_clock, settings):
    fail(Client(), 4)
    fake_clock.advance(settings.STUDIO_LOGIN_PAUSE_SECONDS)
    fail(Client(), 4)
    assert is_logged_in(log_in(Client()))


def test_the_name_is_counted_however_it_is_typed(owner):
    fail(Client(), 3, username="olivia")
    fail(Client(), 2, username=" OLIVIA ")
    assert PAUSED in log_in(Client()).content.decode()


def test_the_form_keeps_the_name_typed_beside_the_message(owner):
    browser = Client()
    fail(browser, 5)
    page = log_in(browser).content.decode()
    assert PAUSED in page and 'value="olivia"' in page


@pytest.mark.parametrize(("proxies", "forwarded_for", "client"), [
    (0, "203.0.113.5", "10.0.0.1"),
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
    (2, "1.2.3.4, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
    (2, "203.0.113.5", "10.0.0.1"),  # fewer entries than proxies: not through them
    (1, "", "10.0.0.1"),
])
def test_the_client_is_the_entry_the_first_proxy_added(settings, proxies, forwarded_for,
                                                       client):
    settings.STUDIO_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   headers={"X-Forwarded-For": forwarded_for})
    assert client_address(request) == client
