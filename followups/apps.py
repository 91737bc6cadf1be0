from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "电话回访"

    def ready(self):
        from classes.hooks import register_class_finished

        from .services import enqueue_sample_draw

        # Policy §5: a class that finishes gets its follow-up sample drawn (after commit, or by the sweep).
        register_class_finished(enqueue_sample_draw)
