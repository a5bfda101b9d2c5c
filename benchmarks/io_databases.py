"""The databases of ``benchmarks/import_export.py``: where each measurement runs, fresh copies.

Each measurement is a process of that script (``--child TASK``) with ``DATABASE_URL`` (a
PostgreSQL database ``<base>_<name>``) or ``SQLITE_PATH`` (a file in the work directory) set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_postgres import pg_exists, pg_params, pg_recreate, pg_url  # noqa: E402

SCRIPT = str(Path(__file__).resolve().with_name("import_export.py"))


class Backend:
    """Where a measurement runs: the environment of its process, and fresh copies."""

    def __init__(self, vendor: str, args):
        self.vendor, self.args = vendor, args
        self.prefix = Path(args.work_dir) / "sqlite"
        self.base = args.database_url.rsplit("/", 1)[1]

    def env(self, name: str) -> dict:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="example_site.settings", DJANGO_DEBUG="0")
        if self.vendor == "postgresql":
            env["DATABASE_URL"] = pg_url(self.args.database_url, f"{self.base}_{name}")
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(self.prefix.with_name(f"sqlite-{name}.sqlite3"))
        return env

    def exists(self, name: str) -> bool:
        if self.vendor == "postgresql":
            return pg_exists(self.args.database_url, f"{self.base}_{name}")
        return Path(self.env(name)["SQLITE_PATH"]).exists()

    def create_empty(self, name: str):
        if self.vendor == "postgresql":
            pg_recreate(self.args.database_url, f"{self.base}_{name}")
        else:
            Path(self.env(name)["SQLITE_PATH"]).unlink(missing_ok=True)

    def rename(self, source: str, target: str):
        """Give a database prepared under a temporary name its real name: a failed
        preparation never leaves a half-filled database under the real name."""
        if self.vendor == "postgresql":
            import psycopg
            from psycopg import sql

            params = pg_params(self.args.database_url)
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
                names = [sql.Identifier(f"{self.base}_{n}") for n in (source, target)]
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(names[1])
                )
                connection.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(*names))
        else:
            os.replace(self.env(source)["SQLITE_PATH"], self.env(target)["SQLITE_PATH"])

    def prepare(self, name: str, task: str, *extra) -> dict:
        self.create_empty(f"{name}_new")
        made = self.child(f"{name}_new", task, *extra)
        self.rename(f"{name}_new", name)
        return made

    def copy(self, source: str, target: str):
        if self.vendor == "postgresql":
            pg_recreate(self.args.database_url, f"{self.base}_{target}", f"{self.base}_{source}")
        else:
            shutil.copyfile(self.env(source)["SQLITE_PATH"], self.env(target)["SQLITE_PATH"])

    def child(self, database: str, task: str, *extra) -> dict:
        command = [sys.executable, SCRIPT, "--child", task, *map(str, extra)]
        done = subprocess.run(  # noqa: S603 (this script, with our own arguments)
            command, env=self.env(database), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"{task} failed on {self.vendor}")
        return json.loads(done.stdout.strip().splitlines()[-1])
