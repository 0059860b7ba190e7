"""The embedded default (SQLite) has the SQL functions the app uses from PostgreSQL: the
support listings' unaccented free-text filter runs translate() in SQL."""

from __future__ import annotations

from sqlalchemy import column, create_engine, select, table, text

from api.kernel import database  # noqa: F401 - registers the connect hook
from api.support.search import matches


def test_translate_works_as_postgresql_has_it():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        read = connection.execute(text("SELECT translate('Đăng ký', 'Đăý', 'dayX')")).scalar()
        assert read == "dang ky"
        assert connection.execute(text("SELECT translate('abc', 'aab', 'xy')")).scalar() == "xc"
        assert connection.execute(text("SELECT translate(NULL, 'a', 'b')")).scalar() is None


def test_the_unaccented_filter_runs_on_sqlite():
    engine = create_engine("sqlite://")
    rows = table("questions", column("asked"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE questions (asked TEXT)"))
        connection.execute(
            text("INSERT INTO questions VALUES ('Đăng ký thường trú ở đâu?'), ('Khai sinh')")
        )
        found = connection.execute(
            select(rows.c.asked).where(matches("THUONG tru dang", rows.c.asked))
        ).scalars()
        assert list(found) == ["Đăng ký thường trú ở đâu?"]
