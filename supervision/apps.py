from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "培训监管"

    def ready(self):
        from classes.hooks import (
            register_class_changed,
            register_class_finished,
            register_registered_change_gate,
            register_start_gate,
        )
        from evaluations.hooks import register_notice_changed

        from .fraud_signals import enqueue_recompute, enqueue_recompute_for_finished_class
        from .inspection_hooks import register_rectification_needed
        from .opening_selectors import opening_change_refusal, opening_start_refusal
        from .rectification import rectification_item_follow_inspection, rectification_item_follow_notice

        # Policy §8.6: every 整改通知书 is an item of the rectification ledger, step for step, in its transaction.
        register_notice_changed(rectification_item_follow_notice)
        # Policy §8.5/§8.6: an inspection finding that needs rectification becomes a ledger item when it is recorded.
        register_rectification_needed(rectification_item_follow_inspection)
        # Policy §8.2: only classes the county approved for opening start, and an approved class's registered
        # fields and roster change only by change request (the review's state lives here, see models/opening.py).
        register_start_gate(opening_start_refusal)
        register_registered_change_gate(opening_change_refusal)
        # Policy §8.4: fraud signals are recomputed after each change that may make or clear one (classes/hooks.py
        # lists who calls). Supervision's own changes (check-ins, dismissals on the attendance pages, teachers)
        # call enqueue_recompute directly.
        register_class_changed(enqueue_recompute)
        register_class_finished(enqueue_recompute_for_finished_class)
