"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet."""

import os
import sys
from urllib.parse import urlparse

import psycopg
from psycopg import sql

url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/medway_improve")
parts = urlparse(url)
name = parts.path.lstrip("/")
admin_url = parts._replace(path="/postgres").geturl()
try:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}")
except psycopg.OperationalError as error:
    sys.exit(
        f"Cannot reach PostgreSQL at {parts.hostname}:{parts.port or 5432} ({error}).\n"
        "Start it (on these machines it runs already; elsewhere: docker compose up -d db redis)."
    )
