"""An office for the browser tests of the main flows: the demo organisation of a profile, its people signed
in on a registered terminal, and what every page they visit must satisfy.

Selectors go by what a person sees — roles, labels, visible Japanese text — never by ids or CSS classes,
so the tests survive a change of layout. ``look(page, name)`` checks the page fits 1366 px without
horizontal scrolling and, with ``TOKUTEI_MANUAL_SCREENSHOTS=1``, saves the screenshot that the operator's
manual (docs/manual/) shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

MANUAL_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "manual" / "img"
DEMO_ADMIN_PASSWORD = "demo-admin-2026!"


@dataclass
class Office:
    profile: Any
    credential: str
    live_server: Any
    signed_in: Any

    @classmethod
    def start(cls, name: str, *, live_server, make_terminal, signed_in, monkeypatch, people: int,
              unconfirmed: int) -> Office:
        from django.core.management import call_command

        import tokutei.vault.demo as vault_demo
        from tokutei.core.hooks import app_hooks
        from tokutei.profiles.selectors import get_profile

        call_command("init", profile=name, admin="admin", admin_password=DEMO_ADMIN_PASSWORD, no_next_steps=True)
        monkeypatch.setattr(vault_demo, "PEOPLE", people)  # the demo's 300 people: 40 are enough here
        monkeypatch.setattr(vault_demo, "UNCONFIRMED", unconfirmed)
        for hook in app_hooks("demo_loader"):
            hook.target()
        _terminal, credential = make_terminal("窓口端末1")
        return cls(profile=get_profile(), credential=credential, live_server=live_server, signed_in=signed_in)

    def user(self, username: str):
        from tokutei.staff.models import User

        return User.objects.get(username=username)

    def sign_in(self, page, username: str):
        """The page becomes ``username``'s session on the registered terminal (any earlier one is gone)."""
        page.context.clear_cookies()
        page.context.add_cookies([{"name": settings.TERMINAL_COOKIE_NAME, "value": self.credential,
                                   "url": self.live_server.url}])
        user = self.user(username)
        self.signed_in(page, user)
        return user


# --- what every page must satisfy ----------------------------------------------------------------------------

def no_horizontal_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{page.url}: 横スクロールが出ます (scrollWidth {widths[0]} > {widths[1]})"


def look(page, name: str | None = None) -> None:
    """Every page visited: no horizontal scrolling at 1366×768; the manual's screenshot when asked for."""
    page.wait_for_load_state("load")
    no_horizontal_scroll(page)
    if name and screenshots_wanted():
        MANUAL_IMAGES.mkdir(parents=True, exist_ok=True)
        path = MANUAL_IMAGES / f"{name}.png"
        page.evaluate("() => window.scrollTo(0, 0)")  # the manual shows each page from its top
        page.screenshot(path=str(path))
        optimise(path)


def screenshots_wanted() -> bool:
    """TOKUTEI_MANUAL_SCREENSHOTS=1: write the manual's screenshots (normal runs leave the tree clean)."""
    return os.environ.get("TOKUTEI_MANUAL_SCREENSHOTS") == "1"


def optimise(path: Path) -> None:
    """Small PNGs for the repository: a palette of at most 256 colours (pngquant), then lossless (optipng)."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--quality=70-90", "--speed", "3", "--force", "--skip-if-larger",
                        "--output", str(path), str(path)], check=False)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o1", str(path)], check=False)


def pdf_first_page(pdf: bytes, name: str) -> None:
    """The first printed page as the manual's picture (pdftoppm, where poppler-utils is installed)."""
    if not (screenshots_wanted() and shutil.which("pdftoppm")):
        return
    MANUAL_IMAGES.mkdir(parents=True, exist_ok=True)
    source = MANUAL_IMAGES / f"{name}.pdf"
    source.write_bytes(pdf)
    try:
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(MANUAL_IMAGES / name)], check=True)
    finally:
        source.unlink()
    optimise(MANUAL_IMAGES / f"{name}.png")


# --- finding controls as a person does ----------------------------------------------------------------------

def field(page, name: str):
    """The control labelled ``name`` (a trailing colon or a required mark may follow the label)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(name) + r"\s*[:：]?\s*(\*|＊|必須|（必須）)?\s*$"))


def fill(page, name: str, value: str) -> None:
    """Type into a text box, or choose the option of that label where the value is one of fixed choices."""
    control = field(page, name)
    if control.count() == 0:  # a choice of radio buttons under a group of that name
        page.get_by_role("group", name=re.compile(re.escape(name))).get_by_role(
            "radio", name=re.compile(re.escape(value))).first.check()
    elif control.evaluate("e => e.tagName") == "SELECT":
        select_option_matching(control, re.escape(value))
    else:
        control.fill(value)


def choose_record(page, label: str, number: int, text: str = "") -> None:
    """Name a record (an approval, a carry-out) in a form: from a list where the form offers one (the option
    showing its number or ``text``), else by the number the record's page shows (#N)."""
    control = page.get_by_label(re.compile(label)).first
    if control.evaluate("e => e.tagName") == "SELECT":
        options = control.locator("option").all_inner_texts()
        wanted = next(o for o in options if f"#{number}" in o or (text and text in o))
        control.select_option(label=wanted)
    else:
        control.fill(str(number))


def use_purpose(page, task_label: str) -> None:
    """Declare the purpose (利用目的・事務) before handling personal data, as the pages ask."""
    page.get_by_label(re.compile("利用目的（事務）")).first.select_option(label=task_label)
    page.get_by_role("button", name="選択").first.click()
    page.get_by_text("現在の利用目的").first.wait_for()


def record_number(text: str) -> int:
    """The record number a page shows (本人 #1241, 承認 #3)."""
    match = re.search(r"#(\d+)", text)
    assert match, f"no record number in {text!r}"
    return int(match.group(1))


def task_label(office: Office, *usernames: str) -> str:
    """The name of a task (事務) in the designation of every one of ``usernames`` (the first in the profile)."""
    from tokutei.core.inforce import in_force_q
    from tokutei.staff.models import RoleAssignment

    shared: set[str] | None = None
    for username in usernames:
        tasks = {t for a in RoleAssignment.objects.filter(in_force_q(), user__username=username) for t in a.tasks}
        shared = tasks if shared is None else shared & tasks
    key = next(k for k in office.profile.selectable_tasks() if k in (shared or set()))
    return office.profile.tasks[key].ja


def select_option_matching(control, pattern: str) -> str:
    """Choose the option whose text matches ``pattern`` (the labels of actions and tasks are long)."""
    options = control.locator("option").all_inner_texts()
    wanted = next(o for o in options if re.search(pattern, o))
    control.select_option(label=wanted)
    return wanted


def pdf_pages(pdf: bytes) -> int:
    """How many pages a PDF has (Chromium's PDFs list each page object plainly)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))
