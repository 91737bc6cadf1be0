"""The fraud-signal entry points on pages of the apps below supervision (the class page, the evaluation page).

Those apps' templates load this library; their views and services never import supervision (classes/hooks.py).
Only county and league staff see anything: for anyone else the tags render nothing.
"""

from django import template

from ..signal_selectors import open_signal_count

register = template.Library()


@register.inclusion_tag("supervision/signals/_class_link.html", takes_context=True)
def fraud_signal_link(context, training_class):
    """A button to the class's signals with the number still open, beside the class page's other buttons."""
    return {"training_class": training_class, "count": open_signal_count(context["user"], training_class)}


@register.inclusion_tag("supervision/signals/_class_card.html", takes_context=True)
def fraud_signal_card(context, training_class):
    """A small card on the evaluation page: the open signals inform the county's evaluation (policy §8.4)."""
    return {"training_class": training_class, "count": open_signal_count(context["user"], training_class)}
