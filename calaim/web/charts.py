"""Server-rendered SVG bar charts: no script, a <title> and <desc> for assistive technology, every value also
written as text, and series told apart by pattern as well as colour. Each chart sits beside its data table."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

FONT = 'font-family="system-ui, sans-serif" font-size="13"'

# Fill and pattern per series, so that no series is told only by its colour.
SERIES_STYLES = (
    ("#0b4f8a", ""),  # solid blue
    ("#1d6b2f", "hatch"),  # green, diagonal lines
    ("#b00020", "dots"),  # red, dots
    ("#ffffff", "outline"),  # white with a dark outline
)
PATTERNS = mark_safe(
    "<defs>"
    '<pattern id="p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#1d6b2f"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/>'
    "</pattern>"
    '<pattern id="p-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#b00020"/><circle cx="3" cy="3" r="1.4" fill="#fff"/></pattern>'
    "</defs>"
)


def _join(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    note: str = ""  # text after the value, e.g. "63% of referred"


def _fill(series: int) -> str:
    colour, pattern = SERIES_STYLES[series % len(SERIES_STYLES)]
    return f"url(#p-{pattern})" if pattern in ("hatch", "dots") else colour


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" width="{1}" height="{2}"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>{5}{6}</svg>',
        chart_id,
        width,
        height,
        title,
        desc,
        PATTERNS,
        body,
    )


def hbar_chart(chart_id: str, title: str, bars: list[Bar], *, series: int = 0, width: int = 720) -> SafeString:
    """One horizontal bar per row, scaled to the largest value, its value and note written after it."""
    label_w, row_h, top = 210, 30, 8
    plot_w = width - label_w - 190
    largest = max((b.value for b in bars), default=0) or 1
    rows = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        w = round(plot_w * bar.value / largest)
        text = f"{bar.value:,}" + (f" ({bar.note})" if bar.note else "")
        rows.append(
            (label_w - 8, y + 19, bar.label, label_w, y + 4, max(w, 1), _fill(series), label_w + w + 6, y + 19, text)
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>"
        '<rect x="{}" y="{}" width="{}" height="20" fill="{}" stroke="#1b1f24" stroke-width="0.5"/>'
        '<text x="{}" y="{}" ' + FONT + ">{}</text>",
        rows,
    )
    desc = "; ".join(f"{b.label}: {b.value:,}" + (f" ({b.note})" if b.note else "") for b in bars)
    return _svg(chart_id, title, desc, width, top * 2 + row_h * len(bars), body)


def grouped_hbar_chart(
    chart_id: str, title: str, groups: list[str], series: list[tuple[str, list[int]]], *, width: int = 720
) -> SafeString:
    """For each group, one bar per series (told apart by pattern and by a legend), values written as text."""
    label_w, bar_h, gap, top = 210, 16, 12, 30
    plot_w = width - label_w - 70
    largest = max((v for _, values in series for v in values), default=0) or 1
    group_h = bar_h * len(series) + gap
    legend = format_html_join(
        "",
        '<rect x="{}" y="6" width="14" height="14" fill="{}" stroke="#1b1f24" stroke-width="0.5"/>'
        '<text x="{}" y="18" ' + FONT + ">{}</text>",
        ((label_w + i * 160, _fill(i), label_w + i * 160 + 20, name) for i, (name, _) in enumerate(series)),
    )
    rows = []
    for g, group in enumerate(groups):
        y0 = top + g * group_h
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>",
                label_w - 8,
                f"{y0 + bar_h * len(series) / 2 + 4:.0f}",
                group,
            )
        )
        for s, (name, values) in enumerate(series):
            y, w = y0 + s * bar_h, round(plot_w * values[g] / largest)
            rows.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#1b1f24" stroke-width="0.5">'
                    "<title>{}, {}: {}</title></rect>"
                    '<text x="{}" y="{}" font-family="system-ui, sans-serif" font-size="11">{}</text>',
                    label_w,
                    y + 1,
                    max(w, 1),
                    bar_h - 2,
                    _fill(s),
                    group,
                    name,
                    values[g],
                    label_w + w + 4,
                    y + bar_h - 4,
                    f"{values[g]:,}",
                )
            )
    desc = "; ".join(
        f"{group}: " + ", ".join(f"{name} {values[g]:,}" for name, values in series) for g, group in enumerate(groups)
    )
    body = legend + _join(rows)
    return _svg(chart_id, title, desc, width, top + group_h * len(groups), body)


def stacked_column_chart(
    chart_id: str, title: str, columns: list[str], series: list[tuple[str, list[int]]], *, width: int = 720
) -> SafeString:
    """A column per period, stacked by series (pattern and colour, with a legend); totals above each column."""
    left, top, plot_h, bottom = 40, 34, 200, 40
    n = max(len(columns), 1)
    slot = (width - left - 10) / n
    col_w = min(slot * 0.7, 48)
    totals = [sum(values[c] for _, values in series) for c in range(len(columns))]
    largest = max(totals, default=0) or 1
    legend = format_html_join(
        "",
        '<rect x="{}" y="6" width="14" height="14" fill="{}" stroke="#1b1f24" stroke-width="0.5"/>'
        '<text x="{}" y="18" ' + FONT + ">{}</text>",
        ((left + i * 165, _fill(i), left + i * 165 + 20, name) for i, (name, _) in enumerate(series)),
    )
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4a5360"/>', left, top + plot_h, width - 10, top + plot_h
        )
    ]
    for c, column in enumerate(columns):
        x = left + c * slot + (slot - col_w) / 2
        y: float = top + plot_h
        for s, (name, values) in enumerate(series):
            h = plot_h * values[c] / largest
            if values[c]:
                y -= h
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#1b1f24" '
                        'stroke-width="0.5"><title>{}, {}: {}</title></rect>',
                        f"{x:.1f}",
                        f"{y:.1f}",
                        f"{col_w:.1f}",
                        f"{h:.1f}",
                        _fill(s),
                        column,
                        name,
                        values[c],
                    )
                )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="11">'
                "{}</text>"
                '<text x="{}" y="{}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="11">{}</text>',
                f"{x + col_w / 2:.1f}",
                f"{y - 4:.1f}",
                totals[c],
                f"{x + col_w / 2:.1f}",
                top + plot_h + 16,
                column[:3],
            )
        )
        if c % 12 == 0 or column.startswith("Jan"):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="11">'
                    "{}</text>",
                    f"{x + col_w / 2:.1f}",
                    top + plot_h + 30,
                    column[-4:],
                )
            )
    desc = "; ".join(
        f"{column}: " + ", ".join(f"{name} {values[c]}" for name, values in series) for c, column in enumerate(columns)
    )
    return _svg(chart_id, title, desc, width, top + plot_h + bottom, legend + _join(parts))


def capacity_chart(chart_id: str, title: str, rows: list[tuple[str, int, int]], *, width: int = 720) -> SafeString:
    """Per provider, the caseload (filled) drawn inside the contract capacity (outlined), both as text too."""
    label_w, row_h, top = 280, 30, 8
    plot_w = width - label_w - 190
    largest = max((max(cap, load) for _, cap, load in rows), default=0) or 1
    parts = []
    for i, (name, capacity, caseload) in enumerate(rows):
        y = top + i * row_h
        cap_w, load_w = round(plot_w * capacity / largest), round(plot_w * caseload / largest)
        share = f"{100 * caseload / capacity:.0f}%" if capacity else "no capacity"
        over = " over capacity" if caseload > capacity else ""
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" ' + FONT + ">{}</text>"
                '<rect x="{}" y="{}" width="{}" height="20" fill="#ffffff" stroke="#1b1f24" stroke-dasharray="4 2"/>'
                '<rect x="{}" y="{}" width="{}" height="20" fill="{}"/>'
                '<text x="{}" y="{}" ' + FONT + ">{} of {} ({}){}</text>",
                label_w - 8,
                y + 19,
                name,
                label_w,
                y + 4,
                max(cap_w, 1),
                label_w,
                y + 4,
                load_w,
                "#b00020" if over else "#0b4f8a",
                label_w + max(cap_w, load_w) + 6,
                y + 19,
                caseload,
                capacity,
                share,
                over,
            )
        )
    desc = "; ".join(f"{name}: {load} members served, capacity {cap}" for name, cap, load in rows)
    return _svg(chart_id, title, desc, width, top * 2 + row_h * max(len(rows), 1), _join(parts))
