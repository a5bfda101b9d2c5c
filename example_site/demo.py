#!/usr/bin/env python3
"""Bring up the wagtail-guests demo, on a fresh machine with only Python >= 3.11 and git.

    python3 example_site/demo.py                 # set up, then serve http://127.0.0.1:8000/
    python3 example_site/demo.py --port 8001
    python3 example_site/demo.py --no-server     # set up only (scripts, tests)
    python3 example_site/demo.py --guests 1000   # add 1,000 more guests

Steps: create or reuse the virtualenv ``.venv`` (as ``tests/run.py`` does; ``pip install -e
".[demo]"`` again only when pyproject.toml changed), ``migrate``, ``guests_demo`` (the pages,
the ``admin`` login with a new password each run, and a few hundred guests the first time),
print the addresses and the login, then ``runserver``. SQLite (``example_site/db.sqlite3``)
unless ``DATABASE_URL`` names another database, e.g. ``postgres://postgres@127.0.0.1:5432/guests``.

Standard library only: this script installs everything else.
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import run as run_tests  # noqa: E402 - the test runner's virtualenv helpers
from tests.run import PYTHON, VENV, StepFailed, announce, base_env, run  # noqa: E402

STAMP = VENV / ".wagtail-guests-demo-install"
MANAGE = ROOT / "example_site" / "manage.py"
DEFAULT_GUESTS = 300


def ensure_virtualenv() -> None:
    """Create ``.venv`` if needed and install the package with the demo's extras; an install
    made by tests/run.py (whose ``[test]`` extras include ``[demo]``) will do too."""
    run_tests.ensure_virtualenv("demo", STAMP, also_accept=(run_tests.STAMP,))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 example_site/demo.py",
        description="Set up the wagtail-guests demo site and run it.",
        epilog="Database: SQLite unless $DATABASE_URL is set (e.g. postgres://…).",
    )
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
    parser.add_argument(
        "--no-server", action="store_true", help="stop after the set-up, without serving"
    )
    parser.add_argument(
        "--guests",
        type=int,
        help=f"add this many guests (default: {DEFAULT_GUESTS}, the first time only)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - say so clearly on an old Python
        print("wagtail-guests needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    args = parse_args(argv)
    base_url = f"http://127.0.0.1:{args.port}"
    password = secrets.token_urlsafe(9)
    env = base_env()
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    env["WAGTAILADMIN_BASE_URL"] = base_url
    env["GUESTS_DEMO_PASSWORD"] = password  # read by guests_demo; not on a command line
    if args.guests is None:
        fill = ["--guests", str(DEFAULT_GUESTS), "--only-if-empty"]
    else:
        fill = ["--guests", str(args.guests)]
    try:
        announce("[1/3] Virtualenv")
        ensure_virtualenv()
        announce("[2/3] Database: migrate")
        run([str(PYTHON), str(MANAGE), "migrate", "--no-input"], env, "migrate")
        announce("[3/3] Demo pages, login and guests: guests_demo")
        run([str(PYTHON), str(MANAGE), "guests_demo", *fill], env, "guests_demo")
    except StepFailed as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr, flush=True)
        return 1

    print(
        f"\nThe demo is ready.\n"
        f"  Site:      {base_url}/\n"
        f"  Admin:     {base_url}/admin/\n"
        f"  Username:  admin\n"
        f"  Password:  {password}   (a new one each time this script runs)\n",
        flush=True,
    )
    if args.no_server:
        print("Start the server later with: python3 example_site/demo.py", flush=True)
        return 0
    print("Stop the server with Ctrl+C.\n", flush=True)
    command = [str(PYTHON), str(MANAGE), "runserver", f"127.0.0.1:{args.port}"]
    try:
        return subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 - our own command
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
