"""The credits page's charts are legible at any number of days, on any screen, in
both themes, and say in words what they draw."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from studio.credits import charts
from studio.credits.models import LedgerEntry
from studio.credits.views import CHART_DAYS

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(markup: str) -> ET.Element:
    """The first <svg> of the markup, parsed as XML (it must be well formed)."""
    start = markup.index("<svg")
    end = markup.index("</svg>", start) + len("</svg>")
    return ET.fromstring(markup[start:end].replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def days(values: list[int], first: date = date(2026, 11, 1)) -> list[tuple[date, int]]:
    return [(first + timedelta(days=n), value) for n, value in enumerate(values)]


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def percent(value: str) -> float:
    assert value.endswith("%"), value
    return float(value[:-1])


@pytest.mark.parametrize("count", [1, 2, 7, 31])
def test_labels_are_at_least_12_px_and_never_scaled(count):
    for markup in (charts.columns(days([5] * count), title="Credits per day"),
                   charts.rows([(f"member {n}", n + 1) for n in range(count)],
                               title="Credits per member")):
        svg = svg_of(markup)
        # Without a viewBox an SVG counts in CSS pixels: its text is never shrunk to fit.
        assert svg.get("viewBox") is None and svg.get("preserveAspectRatio") is None
        assert float(svg.get("font-size")) >= 12
        texts = list(svg.iter(f"{SVG}text"))
        assert texts and all(float(t.get("font-size", svg.get("font-size"))) >= 12
                             for t in texts)


def test_one_day_is_a_bar_not_a_block():
    [bar] = bars(svg_of(charts.columns(days([120]), title="Credits per day")))
    assert percent(bar.get("width")) <= charts.BAR_MAX_PERCENT
    assert 40 < percent(bar.get("x")) < 60  # centred


@pytest.mark.parametrize("count", [2, 12, 31])
def test_bars_have_gaps_and_stay_inside(count):
    drawn = bars(svg_of(charts.columns(days(list(range(1, count + 1))),
                                       title="Credits per day")))
    assert len(drawn) == count
    edges = [(percent(b.get("x")), percent(b.get("x")) + percent(b.get("width")))
             for b in drawn]
    assert all(right < next_left for (_, right), (next_left, _) in pairwise(edges))
    assert edges[0][0] >= 0 and edges[-1][1] <= 100


def test_a_long_run_names_a_few_days_first_and_last_included():
    svg = svg_of(charts.columns(days([3] * 31), title="Credits per day"))
    named = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]
    assert len(named) <= charts.MOST_DAY_LABELS
    assert named[0] == "Nov 1" and named[-1] == "Dec 1"


def test_the_scale_and_the_title_say_what_is_shown():
    markup = charts.columns(days([1200, 0, 34]), title="Credits per day")
    svg = svg_of(markup)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title").text
    assert title.startswith("Credits per day: 1,234 credits over 3 days")
    assert "Sun 1 Nov 2026" in title
    scale = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "scale"]
    assert scale == ["1,200 credits a day at most"]


def test_a_table_gives_the_same_figures_in_words():
    markup = charts.columns(days([1200, 0, 34]), title="Credits per day")
    table = markup[markup.index("<table"):]
    assert 'class="visually-hidden"' in table and "<caption>Credits per day</caption>" in table
    assert "Sun 1 Nov 2026</th><td>1,200 credits" in table
    assert "Tue 3 Nov 2026</th><td>34 credits" in table
    assert "Mon 2 Nov" not in table  # a day without credits is not a row


def test_colours_come_from_the_stylesheet_not_inline():
    for markup in (charts.columns(days([5, 9]), title="t"), charts.rows([("a", 1)], title="t")):
        assert "style=" not in markup and "fill=\"#" not in markup and "rgb(" not in markup


def entry(team, member, credits, days_ago=0):
    made = LedgerEntry.objects.create(team=team, member=member, kind="image",
                                      usage_id=f"u{credits}", credits=credits)
    LedgerEntry.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago))


def test_the_page_draws_every_day_between_entries(owner_client, owner, team_a):
    entry(team_a, owner, 50, days_ago=4)
    entry(team_a, owner, 14)
    html = owner_client.get("/credits/").content.decode()
    svg = svg_of(html[html.index('data-chart="days"') - len('<svg class="chart" '):])
    assert len(bars(svg)) == 5  # three days without credits among them
    assert "<strong data-total>64</strong> credits in 2 entries" in html


def test_the_page_draws_the_month_up_to_the_latest_entry(owner_client, owner, team_a):
    entry(team_a, owner, 7, days_ago=60)
    entry(team_a, owner, 14)
    html = owner_client.get("/credits/").content.decode()
    svg = svg_of(html[html.index('data-chart="days"') - len('<svg class="chart" '):])
    drawn = bars(svg)
    assert len(drawn) == CHART_DAYS
    assert [float(b.get("height")) > 0 for b in drawn] == [False] * 30 + [True]


def test_numbers_on_the_page_have_separators(owner_client, owner, team_a):
    LedgerEntry.objects.create(team=team_a, member=owner, kind="video_t2v", usage_id="u1",
                               credits=1000, credits_remaining=97524)
    html = owner_client.get("/credits/").content.decode()
    assert ">97,524<" in html and ">1,000<" in html and "97524" not in html
