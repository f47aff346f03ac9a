"""Small SVG charts drawn on the server: no chart library, nothing to load.

They scale with the page without scaling their words: an SVG without a viewBox
counts in CSS pixels, so text keeps its size (LABEL_PX, never less than 12 px on any
screen) while bars are placed and sized in percentages of the width. Colours come
from the stylesheet's variables (classes, no inline style), so both themes hold.
Each chart says what it shows in words too: its <title>, each bar's <title>, and for
the days a table for screen readers beside it.
"""

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

LABEL_PX = 13
DAY_PLOT_TOP = 22  # room above the bars for the scale's label
DAY_PLOT_HEIGHT = 150
DAY_LABEL_GAP = 20
BAR_SHARE = 0.7  # of its slot: the rest is the gap between two days' bars
BAR_MAX_PERCENT = 6.0  # of the width: one day is a bar, not a block
MOST_DAY_LABELS = 5
ROW_HEIGHT = 40
ROW_BAR_HEIGHT = 10


def credits(amount: int) -> str:
    return f"{amount:,} credit{'' if amount == 1 else 's'}"


def day_name(day: date) -> str:
    """Nov 23: short enough that five fit across a phone."""
    return f"{day:%b} {day.day}"


def long_day_name(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def columns(series: list[tuple[date, int]], *, title: str) -> SafeString:
    """One bar per day, (day, credits) oldest first, days without credits included:
    the scale, a few dates under the bars, and the same figures as a table."""
    if not series:
        return SafeString("")
    top = max(max(value for _, value in series), 1)
    total = sum(value for _, value in series)
    slot = 100 / len(series)
    bar = min(slot * BAR_SHARE, BAR_MAX_PERCENT)
    baseline = DAY_PLOT_TOP + DAY_PLOT_HEIGHT

    def height(value: int) -> float:
        return max(value, 0) / top * DAY_PLOT_HEIGHT

    bars = format_html_join("", (
        '<rect class="bar" x="{}%" y="{}" width="{}%" height="{}"><title>{}: {}</title></rect>'
    ), (
        (f"{i * slot + (slot - bar) / 2:.3f}", f"{baseline - height(value):.1f}",
         f"{bar:.3f}", f"{height(value):.1f}", long_day_name(day), credits(value))
        for i, (day, value) in enumerate(series)
    ))
    labels = format_html_join("", '<text class="label" x="{}%" y="{}" text-anchor="{}">{}</text>', (
        (f"{x:.3f}", baseline + DAY_LABEL_GAP, anchor, day_name(series[i][0]))
        for i, x, anchor in day_label_places(len(series))
    ))
    summary = (f"{title}: {credits(total)} over {len(series)} "
               f"day{'' if len(series) == 1 else 's'}, from {long_day_name(series[0][0])} "
               f"to {long_day_name(series[-1][0])}; the most in one day {credits(top)}.")
    chart = format_html(
        '<svg class="chart" data-chart="days" role="img" width="100%" height="{}" '
        'font-size="{}"><title>{}</title>'
        '<text class="scale" x="0" y="{}">{} a day at most</text>'
        '<line class="grid" x1="0" x2="100%" y1="{}" y2="{}"></line>'
        '<line class="axis" x1="0" x2="100%" y1="{}" y2="{}"></line>'
        "{}{}</svg>",
        baseline + DAY_LABEL_GAP + 6, LABEL_PX, summary,
        DAY_PLOT_TOP - 8, credits(top), DAY_PLOT_TOP, DAY_PLOT_TOP, baseline, baseline,
        bars, labels)
    return chart + day_table(series, title)


def day_label_places(count: int) -> list[tuple[int, float, str]]:
    """(index, x in percent, text-anchor) of the few days named under the bars: at
    most MOST_DAY_LABELS, evenly spread, the first and the last always; at the edges
    of a long run they are anchored to the edge so they are never cut off."""
    if count == 1:
        return [(0, 50.0, "middle")]
    shown = min(count, MOST_DAY_LABELS)
    indexes = sorted({round(j * (count - 1) / (shown - 1)) for j in range(shown)})
    slot = 100 / count
    places = []
    for i in indexes:
        x, anchor = (i + 0.5) * slot, "middle"
        if count > 6 and i == 0:
            x, anchor = 0.0, "start"
        elif count > 6 and i == count - 1:
            x, anchor = 100.0, "end"
        places.append((i, x, anchor))
    return places


def day_table(series: list[tuple[date, int]], title: str) -> SafeString:
    rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', (
        (long_day_name(day), credits(value)) for day, value in series if value))
    return format_html('<table class="visually-hidden"><caption>{}</caption>'
                       '<thead><tr><th scope="col">Day</th><th scope="col">Credits</th>'
                       "</tr></thead><tbody>{}</tbody></table>", title, rows)


def rows(series: list[tuple[str, int]], *, title: str) -> SafeString:
    """One row per (label, credits), largest first: the label and the figure on a
    line, a bar under them as long as its share of the largest."""
    if not series:
        return SafeString("")
    top = max(max(value for _, value in series), 1)
    body = format_html_join("", (
        '<g class="row"><text class="label" x="0" y="{}">{}</text>'
        '<text class="value" x="100%" y="{}" text-anchor="end">{}</text>'
        '<rect class="track" x="0" y="{}" width="100%" height="{}" rx="{}"></rect>'
        '<rect class="bar" x="0" y="{}" width="{}%" height="{}" rx="{}">'
        "<title>{}: {}</title></rect></g>"
    ), (
        (i * ROW_HEIGHT + 15, label, i * ROW_HEIGHT + 15, f"{value:,}",
         i * ROW_HEIGHT + 22, ROW_BAR_HEIGHT, ROW_BAR_HEIGHT / 2,
         i * ROW_HEIGHT + 22, f"{bar_percent(value, top):.2f}", ROW_BAR_HEIGHT,
         ROW_BAR_HEIGHT / 2, label, credits(value))
        for i, (label, value) in enumerate(series)
    ))
    summary = f"{title}: " + "; ".join(f"{label} {credits(value)}" for label, value in series)
    return format_html(
        '<svg class="chart" data-chart="rows" role="img" width="100%" height="{}" '
        'font-size="{}"><title>{}</title>{}</svg>',
        len(series) * ROW_HEIGHT, LABEL_PX, summary, body)


def bar_percent(value: int, top: int) -> float:
    """A bar's length; a charge too small to see still shows as a sliver."""
    if value <= 0:
        return 0.0
    return max(value / top * 100, 0.5)
