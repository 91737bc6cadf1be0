from django.core.management.base import BaseCommand

from followups.models import FollowupSample
from followups.services import followup_samples_sweep


class Command(BaseCommand):
    help = "Draws the phone follow-up sample of every class whose assessment has ended (policy §5)."

    def handle(self, *args, **options):
        drawn = followup_samples_sweep(trigger=FollowupSample.Trigger.COMMAND)
        self.stdout.write(self.style.SUCCESS(f"抽取回访样本：{drawn} 个培训班。"))
