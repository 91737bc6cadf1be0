from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "培训监管"

    def ready(self):
        from evaluations.hooks import register_notice_changed

        from .rectification import rectification_item_follow_notice

        # Policy §8.6: every 整改通知书 is an item of the rectification ledger, step for step, in its transaction.
        register_notice_changed(rectification_item_follow_notice)
