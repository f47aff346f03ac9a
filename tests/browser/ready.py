"""Waiting for a page a click navigated to: its address, then its scripts.

`page.goto` already waits for the load event; a click that navigates does not, and a
test that acts as soon as the address changes can beat the page's scripts (a composer
tab clicked before composer.js ran is a plain link to another page). ui.js marks
`<html data-ready>` on load.
"""

import re

from playwright.sync_api import Page, expect

from tests.stack import Stack


def arrived(page: Page, url: str | re.Pattern[str]) -> None:
    """The page shows `url` and its scripts have run."""
    expect(page).to_have_url(url)
    expect(page.locator("html[data-ready]")).to_be_attached()


def log_in_as(page: Page, stack: Stack, username: str, password: str) -> None:
    """Through the login form, to the gallery with its scripts run."""
    page.goto(f"{stack.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    arrived(page, f"{stack.url}/")
