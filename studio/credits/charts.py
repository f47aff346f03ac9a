"""Small SVG charts drawn on the server: no chart library, nothing to load."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_GAP = 2


def columns(series: list[tuple[str, int]], *, width: int = 640, height: int = 160,
            title: str) -> SafeString:
    """Vertical bars, one per (label, value): totals per day."""
    if not series:
        return SafeString("")
    top = max(max(value for _, value in series), 1)
    step = width / len(series)
    bars = format_html_join("", (
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar">'
        "<title>{}: {} credits</title></rect>"
    ), (
        (f"{i * step:.1f}", f"{height - max(value, 0) / top * height:.1f}",
         f"{max(step - BAR_GAP, 1):.1f}", f"{max(value, 0) / top * height:.1f}", label,
         value)
        for i, (label, value) in enumerate(series)
    ))
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="none" width="100%" height="{}">{}</svg>'
        '<div class="chart-axis"><span>{}</span><span>max {} credits</span><span>{}</span></div>',
        title, width, height, height, bars, series[0][0], top, series[-1][0])


def rows(series: list[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars with their labels: totals per kind or per member."""
    if not series:
        return SafeString("")
    top = max(max(value for _, value in series), 1)
    line = 22
    body = format_html_join("", (
        '<text x="0" y="{}" class="label">{}</text>'
        '<rect x="120" y="{}" width="{}" height="14" class="bar"><title>{}: {} credits'
        "</title></rect>"
        '<text x="{}" y="{}" class="value">{}</text>'
    ), (
        (i * line + 12, label, i * line + 1, f"{max(value, 0) / top * 220:.1f}", label,
         value, f"{126 + max(value, 0) / top * 220:.1f}", i * line + 12, value)
        for i, (label, value) in enumerate(series)
    ))
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 400 {}" '
        'width="100%">{}</svg>', title, len(series) * line, body)
