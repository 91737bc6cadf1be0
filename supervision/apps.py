from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "培训监管"

    def ready(self):
        from classes.hooks import register_class_changed, register_class_finished

        from .fraud_signals import enqueue_recompute, enqueue_recompute_for_finished_class

        # Policy §8.4: fraud signals are recomputed after each change that may make or clear one (classes/hooks.py
        # lists who calls). Supervision's own changes (check-ins, dismissals on the attendance pages, teachers)
        # call enqueue_recompute directly.
        register_class_changed(enqueue_recompute)
        register_class_finished(enqueue_recompute_for_finished_class)
