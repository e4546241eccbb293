"""Embedded PostgreSQL and Redis for a checkout with no DATABASE_URL / REDIS_URL."""


def database_url() -> str:
    raise RuntimeError("Set DATABASE_URL (embedded PostgreSQL support is not wired yet).")


def redis_url() -> str:
    raise RuntimeError("Set REDIS_URL (embedded Redis support is not wired yet).")
