"""`portal backup` and `portal restore` on SQLite: a backup restored gives back every record as it
was at the backup, whatever database the rest of the suite runs on."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.backups import BackupError, sqlite_path
from portal.demo import build_demo
from portal.extensions import db
from tests.conftest import TEST_CONFIG


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


def test_a_backup_restored_gives_back_every_record(live, tmp_path):
    runner = live.test_cli_runner()
    before = _records(db.engine)
    copy = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(copy)])
    assert result.exit_code == 0 and "Backed up" in result.output, result.output
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM help_event"))
        connection.execute(text("UPDATE person SET name = '改过的名字'"))
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
