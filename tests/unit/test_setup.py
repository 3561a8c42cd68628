"""Configuration from the environment, and the demo community."""

from sqlalchemy import func, select

from portal.accounts.models import FamilyLink, Kiosk, Person, Role, RoleGrant
from portal.community.models import Building, Community, Grid, StreetOffice
from portal.config import from_environment
from portal.extensions import db


def test_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(tmp_path)["SECRET_KEY"]
    assert len(first) >= 64 and (tmp_path / "secret_key").read_text() == first
    assert from_environment(tmp_path)["SECRET_KEY"] == first
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert from_environment(tmp_path)["SECRET_KEY"] == "from-the-environment"


def test_database_defaults_to_sqlite_in_instance_and_reads_database_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert (
        from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path}/linli.sqlite"
    )
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/linli")
    assert (
        from_environment(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/linli"
    )


def test_only_a_database_server_s_connections_are_tested_before_use(app):
    from portal.config import engine_options

    assert engine_options("postgresql+psycopg://u@db/linli") == {"pool_pre_ping": True}
    assert engine_options("sqlite:////srv/linli.sqlite") == {}
    engine = db.engine
    assert engine.pool._pre_ping is (engine.dialect.name != "sqlite")


def test_proxies_and_help_timers_come_from_the_environment(monkeypatch, tmp_path):
    from portal.help.services import Timers

    assert from_environment(tmp_path)["PROXY_COUNT"] == 0
    monkeypatch.setenv("PROXY_COUNT", "1")
    monkeypatch.setenv("HELP_ACK_MINUTES_URGENT", "3")
    settings = from_environment(tmp_path)
    assert settings["PROXY_COUNT"] == 1
    assert Timers.from_config(settings).ack_urgent.total_seconds() == 180
    assert Timers.from_config(settings).ack_normal.total_seconds() == 30 * 60


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_builds_a_believable_community_and_is_idempotent(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "13800000001" in result.output and "2580" in result.output
    assert (_count(StreetOffice), _count(Community), _count(Grid)) == (1, 2, 8)
    assert _count(Building) == 12
    residents = db.session.scalars(
        select(Person).join(RoleGrant).where(RoleGrant.role == Role.RESIDENT)
    ).all()
    assert len(residents) == 120
    ages = [r.age_on(r.birth_date.replace(year=r.birth_date.year + 200)) - 200 for r in residents]
    assert all(a == 0 for a in ages)
    from datetime import date

    today = date.today()
    real_ages = [r.age_on(today) for r in residents]
    assert min(real_ages) >= 60 and max(real_ages) <= 97
    assert {r.care_colour for r in residents} == {"red", "yellow", "green"}
    assert any(r.special_support and r.age_on(today) >= 80 for r in residents)
    roles = {grant.role for grant in db.session.scalars(select(RoleGrant))}
    assert roles == {role.value for role in Role}
    assert _count(FamilyLink) > 20 and _count(Kiosk) == 1

    before = {model: _count(model) for model in (Person, RoleGrant, FamilyLink, Building, Kiosk)}
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert {model: _count(model) for model in before} == before
