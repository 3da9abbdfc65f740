"""tokutei vault_site [--set own_server|data_centre]: where this installation runs (004 §14(4), E-34).

The declaration is stored in the database (and logged). Before any declaration the environment variable
TOKUTEI_INSTALLATION_SITE is read; a profile that forbids own servers refuses My Number writes until the
installation is declared to be at the permitted data centre.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from tokutei.profiles.citations import cite


class Command(BaseCommand):
    help = "設置場所（組織のサーバ / 委託先データセンター）の表示と宣言"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="site", choices=["own_server", "data_centre"])
        parser.add_argument("--note", default="")

    def handle(self, *args, site: str | None, note: str, **options) -> None:
        from tokutei.profiles.selectors import get_profile
        from tokutei.vault.services import installation_site, set_installation_site

        if site:
            set_installation_site(site=site, note=note)
        storage = get_profile().storage
        self.stdout.write(f"設置場所: {installation_site()}")
        if not storage.own_servers_allowed:
            self.stdout.write(f"このプロファイルは組織のサーバへの保存を認めていません（{cite(storage.article)}）")
