"""Configuration from the environment, and the demo community."""

from datetime import date

from sqlalchemy import func, select

from portal.accounts.models import FamilyLink, Kiosk, Person, Role, RoleGrant
from portal.community.models import Building, Community, Grid, StreetOffice
from portal.community.services import floor_of_room
from portal.config import from_environment
from portal.delivery.models import DeliveryEnrolment
from portal.extensions import db
from tests.clock import shanghai_today


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


def test_a_database_server_s_connections_read_in_autocommit_and_are_not_pinged_in_use(app):
    engine = db.engine
    assert engine.pool._pre_ping is False
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            assert connection.connection.dbapi_connection.autocommit is True


def test_proxies_and_help_timers_come_from_the_environment(monkeypatch, tmp_path):
    from portal.help.services import Timers

    assert from_environment(tmp_path)["PROXY_COUNT"] == 0
    monkeypatch.setenv("PROXY_COUNT", "1")
    monkeypatch.setenv("HELP_ACK_MINUTES_URGENT", "3")
    settings = from_environment(tmp_path)
    assert settings["PROXY_COUNT"] == 1
    assert Timers.from_config(settings).ack_urgent.total_seconds() == 180
    assert Timers.from_config(settings).ack_normal.total_seconds() == 30 * 60


def years_before(day: date, years: int) -> date:
    """The same day of the year, years earlier; 28 February for a 29th that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


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
    # Aged 60 to 97 on the demo's day, Shanghai's today: born after the day 98 years before and
    # no later than 60 years before; at least five special-support residents are 80 or over.
    today = shanghai_today()
    births = [r.birth_date for r in residents]
    assert min(births) > years_before(today, 98) and max(births) <= years_before(today, 60)
    assert {r.care_colour for r in residents} == {"red", "yellow", "green"}
    supported = [r.birth_date for r in residents if r.special_support]
    assert sum(born <= years_before(today, 80) for born in supported) >= 5
    roles = {grant.role for grant in db.session.scalars(select(RoleGrant))}
    assert roles == {role.value for role in Role}
    assert _count(FamilyLink) > 20 and _count(Kiosk) == 1
    # A round sheet's floor agrees with the room: 501 is on the 5th floor.
    for enrolment in db.session.scalars(select(DeliveryEnrolment)):
        assert enrolment.floor == floor_of_room(enrolment.resident.room), enrolment.resident.room

    before = {model: _count(model) for model in (Person, RoleGrant, FamilyLink, Building, Kiosk)}
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert {model: _count(model) for model in before} == before
