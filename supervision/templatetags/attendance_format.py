"""Distances as Chinese readers expect them: metres below a kilometre, then kilometres."""

from django import template

register = template.Library()


@register.filter
def distance(metres) -> str:
    """900 → "900 米", 1100 → "1.1 公里", 1050 → "1.05 公里", 23456 → "23.5 公里"; None → "—"."""
    if metres is None or metres == "":
        return "—"
    metres = int(metres)
    if metres < 1000:
        return f"{metres} 米"
    places = 2 if metres < 10_000 else 1
    return f"{metres / 1000:.{places}f}".rstrip("0").rstrip(".") + " 公里"
