from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.second_factor.demo import demo_code, demo_key_base32


class Command(BaseCommand):
    help = "Prints the demo logins' current second-factor code (local demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--key", action="store_true", help="print the demo key (base32) for an authenticator app")

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("当前为生产环境配置，演示验证码不可用。")
        self.stdout.write(demo_key_base32() if options["key"] else demo_code())
