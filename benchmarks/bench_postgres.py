"""PostgreSQL helpers of the benchmarks: create, recreate or copy a benchmark database on the
server of a ``postgres://`` URL (connecting to its ``postgres`` database)."""

from __future__ import annotations


def pg_params(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    return {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }


def pg_url(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params(url)) as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def pg_recreate(url: str, name: str, template: str | None = None):
    import psycopg
    from psycopg import sql

    with psycopg.connect(dbname="postgres", autocommit=True, **pg_params(url)) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        connection.execute(statement)


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` unless it exists; True if it was created."""
    name = url.rsplit("/", 1)[1]
    if pg_exists(url, name):
        return False
    pg_recreate(url, name)
    return True
