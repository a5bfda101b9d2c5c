#!/usr/bin/env python3
"""Run everything CI runs, on a fresh machine with only Python >= 3.11 and git.

    python3 tests/run.py                      # lint, migrations, tests on SQLite and PostgreSQL
    python3 tests/run.py --db sqlite          # tests on SQLite only
    python3 tests/run.py -- -k identity -x    # everything after "--" goes to pytest

Steps: create or reuse the virtualenv ``.venv`` (``pip install -e ".[test]"`` again only when
pyproject.toml changed), ``ruff check``, ``ruff format --check``, ``makemigrations --check``,
then the whole pytest suite on SQLite and again on PostgreSQL. PostgreSQL is
``postgres://postgres@127.0.0.1:5432/test`` unless ``GUESTS_TEST_POSTGRES_URL`` says otherwise;
an unreachable server is a failure, never a skip. Every step runs even when an earlier one
failed (except the install), a summary follows, and the exit status is non-zero if any failed.

Standard library only: this script installs everything else.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".wagtail-guests-test-install"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
PYTEST_NO_TESTS = 5

_CHECK_POSTGRES = """
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except psycopg.Error as exc:
    print(str(exc).strip(), file=sys.stderr)
    sys.exit(1)
"""


class StepFailed(Exception):
    pass


def announce(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def run(command: list[str], env: dict[str, str], what: str) -> None:
    """Run ``command`` from the repository root; raise StepFailed with ``what`` if it fails."""
    print("$ " + shlex.join(str(part) for part in command), flush=True)
    code = subprocess.call(command, cwd=ROOT, env=env)  # noqa: S603 - our own commands
    if code == PYTEST_NO_TESTS and what.startswith("pytest"):
        raise StepFailed(f"{what}: no tests were collected (pytest exit code 5)")
    if code != 0:
        raise StepFailed(f"{what} failed (exit code {code})")


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest reads tests.settings from pyproject.toml
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def venv_python_version() -> str | None:
    """The virtualenv's Python version, or None when it is missing or broken."""
    if not PYTHON.exists():
        return None
    probe = subprocess.run(  # noqa: S603
        [str(PYTHON), "-c", "import sys; print(sys.version)"], capture_output=True, text=True
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_virtualenv(
    extras: str = "test", stamp: Path = STAMP, also_accept: tuple[Path, ...] = ()
) -> None:
    """Create ``.venv`` if needed and ``pip install -e ".[<extras>]"`` into it.

    The install is skipped when pyproject.toml and the venv's Python are unchanged since the
    install recorded in ``stamp`` (or in one of ``also_accept``: an install with more extras).
    """
    version = venv_python_version()
    if version is None:
        announce(f"Creating the virtualenv {VENV.relative_to(ROOT)}")
        command = [sys.executable, "-m", "venv", "--clear", str(VENV)]
        print("$ " + shlex.join(command), flush=True)
        if subprocess.call(command) != 0:  # noqa: S603
            raise StepFailed(
                "Could not create the virtualenv. On Debian or Ubuntu, install the venv "
                "module first: apt-get install python3-venv"
            )
        version = venv_python_version()
        if version is None:
            raise StepFailed(f"The new virtualenv's Python ({PYTHON}) does not run.")

    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(version.encode())
    wanted = digest.hexdigest()
    for done in (stamp, *also_accept):
        if done.exists() and done.read_text().strip() == wanted:
            print(f"Virtualenv up to date with pyproject.toml ({VENV.relative_to(ROOT)}).")
            return
    announce(f'Installing the package and its {extras} dependencies: pip install -e ".[{extras}]"')
    stamp.unlink(missing_ok=True)
    run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-e", f".[{extras}]"],
        base_env(),
        "pip install",
    )
    stamp.write_text(wanted + "\n")


def ruff_check() -> None:
    run([str(PYTHON), "-m", "ruff", "check", "."], base_env(), "ruff check")


def ruff_format() -> None:
    run([str(PYTHON), "-m", "ruff", "format", "--check", "."], base_env(), "ruff format --check")


def makemigrations_check() -> None:
    env = base_env()
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    with tempfile.TemporaryDirectory(prefix="wagtail-guests-") as scratch:
        # A throwaway SQLite file: never touch the demo's database.
        env["SQLITE_PATH"] = str(Path(scratch) / "makemigrations.sqlite3")
        run(
            [
                str(PYTHON),
                "example_site/manage.py",
                "makemigrations",
                "--check",
                "--dry-run",
                "--verbosity",
                "1",
            ],
            env,
            "makemigrations --check (missing migrations?)",
        )


def pytest_sqlite(pytest_args: list[str]) -> None:
    env = base_env()
    env.pop("DATABASE_URL", None)
    run([str(PYTHON), "-m", "pytest", *pytest_args], env, "pytest on SQLite")


def postgres_url() -> str:
    return os.environ.get("GUESTS_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def pytest_postgres(pytest_args: list[str]) -> None:
    url = postgres_url()
    env = base_env()
    print(f"Checking that PostgreSQL answers at {url} ...", flush=True)
    probe = subprocess.run(  # noqa: S603
        [str(PYTHON), "-c", _CHECK_POSTGRES, url], env=env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        print(probe.stderr.strip(), file=sys.stderr)
        raise StepFailed(
            f"PostgreSQL is not reachable at {url}. The suite must also pass on PostgreSQL: "
            "start the server (user postgres, trust authentication) or point "
            "GUESTS_TEST_POSTGRES_URL at one, or run with --db sqlite locally."
        )
    env["DATABASE_URL"] = url
    run([str(PYTHON), "-m", "pytest", *pytest_args], env, "pytest on PostgreSQL")


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    if "--" in argv:
        split = argv.index("--")
        argv, pytest_args = argv[:split], argv[split + 1 :]
    else:
        pytest_args = []
    parser = argparse.ArgumentParser(
        prog="python3 tests/run.py",
        description="Lint, check migrations and run the test suite on SQLite and PostgreSQL.",
        epilog="Arguments after -- go to pytest, e.g. python3 tests/run.py -- -k identity -x. "
        f"PostgreSQL: $GUESTS_TEST_POSTGRES_URL, default {DEFAULT_POSTGRES_URL}.",
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="which database(s) to run the test suite on (default: both)",
    )
    return parser.parse_args(argv), pytest_args


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - say so clearly on an old Python
        print("wagtail-guests needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    args, pytest_args = parse_args(argv)

    steps = [
        ("virtualenv and install", ensure_virtualenv),
        ("ruff check", ruff_check),
        ("ruff format --check", ruff_format),
        ("makemigrations --check", makemigrations_check),
    ]
    if args.db in ("sqlite", "both"):
        steps.append(("pytest on SQLite", lambda: pytest_sqlite(pytest_args)))
    if args.db in ("postgres", "both"):
        steps.append(("pytest on PostgreSQL", lambda: pytest_postgres(pytest_args)))

    results: list[tuple[str, str, float]] = []
    started = time.monotonic()
    for number, (name, step) in enumerate(steps, 1):
        announce(f"[{number}/{len(steps)}] {name}")
        step_started = time.monotonic()
        try:
            step()
        except StepFailed as exc:
            print(f"\nFAILED: {exc}", file=sys.stderr, flush=True)
            results.append((name, "FAIL", time.monotonic() - step_started))
            if number == 1:  # nothing else can run without the virtualenv
                break
        except KeyboardInterrupt:
            results.append((name, "INTERRUPTED", time.monotonic() - step_started))
            break
        else:
            results.append((name, "ok", time.monotonic() - step_started))

    announce("Summary")
    for name, status, seconds in results:
        print(f"  {status:<5} {name:<26} {seconds:7.1f} s")
    for name, _step in steps[len(results) :]:
        print(f"  {'skip':<5} {name}")
    failed = [name for name, status, _ in results if status != "ok"]
    failed += [name for name, _step in steps[len(results) :]]
    total = time.monotonic() - started
    if failed:
        print(f"\nFAILED: {', '.join(failed)} ({total:.0f} s)", flush=True)
        return 130 if results[-1][1] == "INTERRUPTED" else 1
    print(f"\nAll {len(results)} steps passed ({total:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
