"""`portal admin create`: a real office's first run, from an empty database."""

from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.audit.models import AuditEntry
from portal.community.models import Community, StreetOffice
from portal.extensions import db

PASSWORD = "a long admin password"
FLAGS = [
    "admin",
    "create",
    "--street-office",
    "五华区护国街道办事处",
    "--street-hotline",
    "0871-63100000",
    "--community",
    "文明社区",
    "--community-hotline",
    "0871-63101234",
    "--name",
    "周海燕",
    "--phone",
    "138 0013 8000",
]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _with(**changes) -> list[str]:
    """FLAGS with some options given other values."""
    flags = list(FLAGS)
    for option, value in changes.items():
        flags[flags.index("--" + option.replace("_", "-")) + 1] = value
    return flags


def test_an_empty_database_gets_its_office_community_and_admin(runner, client):
    result = runner.invoke(args=FLAGS, env={"LINLI_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Created the street office 五华区护国街道办事处" in result.output
    assert "created the community 文明社区" in result.output
    admin = db.session.scalar(select(Person).where(Person.phone == "13800138000"))
    assert admin.name == "周海燕" and admin.roles == {Role.ADMIN}
    assert admin.community.name == "文明社区"
    assert admin.community.street_office.hotline == "0871-63100000"
    assert admin.community.timezone == "Asia/Shanghai"
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.subject_id, entry.actor_id) == ("account.created", admin.id, None)
    # The admin signs in in the browser and does the rest there.
    response = client.post("/sign-in", data={"phone": "13800138000", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/admin/kiosks").status_code == 200


def test_the_password_is_asked_twice_when_not_given(runner):
    result = runner.invoke(args=FLAGS, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert _count(Person) == 1


def test_every_question_is_asked_when_nothing_is_given(runner):
    answers = [
        "五华区护国街道办事处",
        "0871-63100000",
        "文明社区",
        "0871-63101234",
        "周海燕",
        "13800138000",
        PASSWORD,
        PASSWORD,
    ]
    result = runner.invoke(args=["admin", "create"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Community.name)) == "文明社区"


def test_bad_answers_are_all_named_and_nothing_is_saved(runner):
    flags = _with(
        street_hotline="call us",
        community=" ",
        name="周" * 81,
        phone="12345",
    )
    flags += ["--timezone", "Mars/Olympus"]
    result = runner.invoke(args=flags, env={"LINLI_ADMIN_PASSWORD": "short"})
    assert result.exit_code == 1
    for problem in (
        "The street office's hotline is a telephone number",
        "Give the community's name.",
        "The admin's name has at most 80 characters.",
        "The admin's phone is a mainland mobile number of 11 digits.",
        "The password has 8 to 128 characters.",
        "Mars/Olympus is not a time zone",
        "Nothing was saved.",
    ):
        assert problem in result.output, result.output
    assert (_count(StreetOffice), _count(Community), _count(Person), _count(AuditEntry)) == (
        0,
        0,
        0,
        0,
    )


def test_a_second_admin_joins_the_community_and_a_number_is_used_once(runner):
    env = {"LINLI_ADMIN_PASSWORD": PASSWORD}
    assert runner.invoke(args=FLAGS, env=env).exit_code == 0
    second = runner.invoke(args=_with(name="王芳", phone="13800138001"), env=env)
    assert second.exit_code == 0, second.output
    assert "Found the street office" in second.output and "found the community" in second.output
    assert (_count(StreetOffice), _count(Community), _count(Person)) == (1, 1, 2)
    again = runner.invoke(args=_with(name="李娜"), env=env)
    assert again.exit_code == 1
    assert "13800138000 already has an account" in again.output
    elsewhere = runner.invoke(
        args=_with(street_office="盘龙区拓东街道办事处", phone="13800138002"), env=env
    )
    assert elsewhere.exit_code == 1
    assert "The community 文明社区 belongs to 五华区护国街道办事处" in elsewhere.output
    assert _count(Person) == 2


def test_a_database_without_tables_is_told_to_run_setup(tmp_path):
    from portal import create_app
    from tests.conftest import TEST_CONFIG

    empty = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.db"})
    result = empty.test_cli_runner().invoke(args=FLAGS, env={"LINLI_ADMIN_PASSWORD": PASSWORD})
    assert result.exit_code == 1 and "run `portal setup` first" in result.output
