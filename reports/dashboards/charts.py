"""ECharts options as plain data (JSON in the page, drawn by static/js/dashboard.js).

Every data item carries the link of the list behind it (``link``); dashboard.js follows it on click. Options hold
no functions: ``portal`` tells dashboard.js which formatter to add (a percentage axis, for instance).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    name: str
    color: str
    values: list[tuple[float | int | None, str]]  # (value, link) per category; None: no bar


@dataclass(frozen=True)
class Threshold:
    """A line across the chart at a policy threshold (80% of 附表2, 20% phoned, an employment grade)."""

    label: str
    value: float
    color: str


def _data(values: list[tuple[float | int | None, str]]) -> list[dict]:
    return [{"value": value, "link": link} for value, link in values]


def bar_chart(
    *, categories: list[str], series: list[Series], stacked: bool = False, horizontal: bool = True,
    percent: bool = False, thresholds: list[Threshold] = (), percent_max: int = 100,
) -> dict:
    """Bars per category, one colour per series. Horizontal by default: county and institution names are long
    and read better on a phone as rows than as slanted axis labels. A percentage axis ends at ``percent_max``."""
    value_axis = {"type": "value", "minInterval": 1, "splitLine": {"lineStyle": {"color": "#e5e7eb"}}}
    if percent:
        value_axis.update(max=percent_max, minInterval=0, axisLabel={"formatter": "{value}%"})
    category_axis = {"type": "category", "data": categories, "axisTick": {"show": False}}
    if horizontal:
        category_axis["inverse"] = True
    chart_series = []
    for index, item in enumerate(series):
        entry = {
            "name": item.name, "type": "bar", "data": _data(item.values), "itemStyle": {"color": item.color},
            "barMaxWidth": 28, "emphasis": {"focus": "series"}, "cursor": "pointer",
        }
        if stacked:
            entry["stack"] = "total"
        if index == 0 and thresholds:
            entry["markLine"] = {
                "symbol": "none", "silent": True,
                "label": {"formatter": "{b}", "position": "start" if horizontal else "end", "fontSize": 11},
                "data": [
                    {"name": line.label, ("xAxis" if horizontal else "yAxis"): line.value,
                     "lineStyle": {"color": line.color, "type": "dashed", "width": 1.5}, "label": {"color": line.color}}
                    for line in thresholds
                ],
            }
        chart_series.append(entry)
    return {
        "portal": {"percent": percent, "rows": len(categories) if horizontal else 0},
        # Drawn on the canvas: an HTML tooltip carries style attributes, which the portal's CSP (style-src 'self') refuses.
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True, "renderMode": "richText"},
        "legend": {"top": 0, "left": 0, "type": "scroll"},
        "grid": {"left": 4, "right": 24, "top": 52 if thresholds and horizontal else 36, "bottom": 4},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": chart_series,
    }
