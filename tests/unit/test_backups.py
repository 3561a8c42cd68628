"""`portal backup` and `portal restore` on SQLite, whatever database the rest of the suite runs on,
and the README's pg_dump and pg_restore on PostgreSQL: a backup restored gives back every record
as it was at the backup."""

import os
import shutil
import subprocess

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from portal import PROJECT_ROOT, create_app
from portal.backups import BackupError, sqlite_path
from portal.extensions import db
from portal.site.demo import build_demo
from tests.conftest import TEST_CONFIG

# The README's PostgreSQL backup and restore, word for word.
PG_DUMP = 'pg_dump --format=custom --file="$BACKUP" "$DATABASE_URL"'
PG_RESTORE = 'pg_restore --clean --if-exists --dbname="$DATABASE_URL" "$BACKUP"'


def _records(engine) -> dict[str, list[str]]:
    """Every row of every table, in a form that compares."""
    with engine.connect() as connection:
        return {
            name: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{name}"'))))
            for name in sorted(inspect(engine).get_table_names())
        }


@pytest.fixture
def live(tmp_path):
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}"}
    )
    with app.app_context():
        upgrade()
        build_demo()
        yield app
        db.session.remove()
        db.engine.dispose()


def _damage(engine) -> None:
    """Lose the help history and everyone's name."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM help_event"))
        connection.execute(text("UPDATE person SET name = '改过的名字'"))


def test_a_backup_restored_gives_back_every_record(live, tmp_path):
    runner = live.test_cli_runner()
    before = _records(db.engine)
    copy = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(copy)])
    assert result.exit_code == 0 and "Backed up" in result.output, result.output
    _damage(db.engine)
    assert _records(db.engine) != before
    result = runner.invoke(args=["restore", str(copy), "--yes"])
    assert result.exit_code == 0 and "Restored" in result.output, result.output
    assert _records(db.engine) == before
    assert sum(map(len, before.values())) > 500


def test_bad_backups_and_restores_are_refused_with_a_reason(live, tmp_path):
    runner = live.test_cli_runner()
    taken = tmp_path / "taken.sqlite"
    taken.write_bytes(b"")
    result = runner.invoke(args=["backup", str(taken)])
    assert result.exit_code != 0 and "already exists" in result.output
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list")
    result = runner.invoke(args=["restore", str(not_a_backup), "--yes"])
    assert result.exit_code != 0 and "is not a backup of the portal" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "missing.sqlite"), "--yes"])
    assert result.exit_code != 0 and "There is no backup" in result.output
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path("postgresql://root@127.0.0.1:5432/test")


def _run(command: str, environment: dict[str, str]) -> None:
    result = subprocess.run(
        ["bash", "-c", command], env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{command}\n{result.stderr}"


def test_the_readme_pg_dump_restored_gives_back_every_record(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump and pg_restore back up PostgreSQL only")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on PATH")
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert PG_DUMP in readme and PG_RESTORE in readme
    build_demo()
    before = _records(db.engine)
    libpq_url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    environment = {**os.environ, "DATABASE_URL": libpq_url, "BACKUP": str(tmp_path / "linli.dump")}
    _run(PG_DUMP, environment)
    _damage(db.engine)
    assert _records(db.engine) != before
    # The restore drops and recreates every table: nothing of the portal's may hold them open.
    db.session.remove()
    db.engine.dispose()
    _run(PG_RESTORE, environment)
    assert _records(db.engine) == before
    assert sum(map(len, before.values())) > 500
