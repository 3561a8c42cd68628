"""The `portal` command: set-up, demo data, translations; `portal run` and `portal db` come from Flask."""

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from portal import PROJECT_ROOT
from portal.config import DEFAULT_TIMEZONE

TRANSLATIONS = PROJECT_ROOT / "translations"
POT_FILE = TRANSLATIONS / "messages.pot"
# A daily run that has not given its lease back in this time is taken to have died.
DAILY_LEASE = timedelta(hours=2)
CARE_LEASE = timedelta(minutes=10)


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


def compile_translations() -> None:
    """Compile every .po catalogue into the .mo file the portal reads.

    Each .mo is written beside itself and then renamed into place, so a process reading the
    catalogues while another compiles them never sees half a file.
    """
    for catalogue in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        compiled = catalogue.with_suffix(".mo")
        partial = compiled.with_name(f".{compiled.name}.{os.getpid()}")
        _pybabel("compile", "--statistics", "-i", str(catalogue), "-o", str(partial))
        partial.replace(compiled)


@click.command("setup")
@with_appcontext
def setup_command():
    """Compile translations and bring the database schema up to date."""
    compile_translations()
    upgrade()
    click.echo(f"Database ready: {current_app.config['SQLALCHEMY_DATABASE_URI']}")


@click.command("demo")
@with_appcontext
def demo_command():
    """Build (or complete) the demo community; safe to run again."""
    from portal.site.demo import build_demo

    for line in build_demo():
        click.echo(line)


@click.command("escalate")
@with_appcontext
def escalate_command():
    """Apply the help timers: escalate overdue requests, close unconfirmed ones, give back to
    their grid workers those a partner did not accept in time. Run every minute."""
    import time

    from portal.help.services import Timers, escalate_overdue, return_unaccepted

    started = time.perf_counter()
    counts = escalate_overdue(timers=Timers.from_config(current_app.config))
    returned = return_unaccepted()
    elapsed = time.perf_counter() - started
    click.echo(
        f"to community: {counts['community']}, to street: {counts['street']}, "
        f"closed: {counts['closed']}, back from partners: {returned} ({elapsed:.2f} s)"
    )


@click.command("notify")
@click.option("--loop", is_flag=True, help="Keep sending as messages come, until stopped.")
@click.option(
    "--every",
    default=1.0,
    show_default=True,
    help="With --loop: seconds between looks at an empty outbox.",
)
@click.option(
    "--stop-after", type=float, default=None, help="With --loop: stop after this many seconds."
)
@with_appcontext
def notify_command(loop, every, stop_after):
    """Send the notifications waiting in the outbox on each reader's channels (the log always,
    e-mail when MAIL_SERVER is set). Any number may run at once: each message goes to one. Run
    every minute, or once with --loop as a worker that sends each message within seconds and
    stops cleanly on SIGTERM or Ctrl-C."""
    from portal.extensions import db
    from portal.notifications.services import deliver_pending, outbox_counts

    if not loop:
        tally = deliver_pending()
        left = outbox_counts()
        click.echo(
            f"sent: {tally.sent}, to try again: {tally.retrying}, failed now: {tally.failed}, "
            f"held for quiet hours: {tally.held}; "
            f"in the outbox: {left['waiting']} waiting, {left['failed']} failed"
        )
        return
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    if stop_after is not None:
        timer = threading.Timer(stop_after, stopping.set)
        timer.daemon = True
        timer.start()
    click.echo(f"sending notifications as they come, looking every {every:g} s")
    while not stopping.is_set():
        tally = deliver_pending()
        db.session.remove()
        if tally.sent or tally.retrying or tally.failed:
            click.echo(
                f"sent: {tally.sent}, to try again: {tally.retrying}, failed now: {tally.failed}"
            )
        else:
            stopping.wait(every)
    click.echo("stopped")


@click.command("remind")
@with_appcontext
def remind_command():
    """Remind everyone with a place at an activity tomorrow, and each resident (with their
    family) whose yearly paperwork is due in a month or in a week; once each. Run every hour."""
    from portal.activities.services import send_reminders
    from portal.paperwork.services import send_reminders as remind_paperwork

    click.echo(f"reminded: {send_reminders()}")
    click.echo(f"paperwork reminders: {remind_paperwork()}")


@click.command("care")
@with_appcontext
def care_command():
    """Raise a welfare check for each red resident not visited by the end of the visit day
    (20:00 in their community); ask the grid worker to phone a resident who missed their daily
    check-in, and two hours later raise a welfare check; each once. Run every 15 minutes; a
    copy started while one runs does nothing."""
    from portal.care.services import follow_missed_check_ins, raise_overdue
    from portal.jobs import AlreadyRunning, run_alone

    try:
        with run_alone("care", lease=CARE_LEASE):
            raised = raise_overdue()
            missed = follow_missed_check_ins()
    except AlreadyRunning:
        click.echo("another copy is running")
        return
    click.echo(f"welfare checks raised for red residents not visited: {raised}")
    click.echo(
        f"missed check-ins: calls asked {missed['calls']}, "
        f"welfare checks raised {missed['welfare checks']}"
    )


@click.command("daily")
@with_appcontext
def daily_command():
    """The once-a-day jobs, safe to run again: weekly activities get their coming weeks,
    delivery enrolments become the coming meals' delivery bookings, and points and vouchers past
    their time expire. A copy started while one runs, on any host, does nothing."""
    from portal.activities.schedule import extend_series
    from portal.delivery.bookings import book_deliveries
    from portal.jobs import AlreadyRunning, run_alone
    from portal.points import expiry

    try:
        with run_alone("daily", lease=DAILY_LEASE):
            weeks = extend_series()
            tally = book_deliveries()
            expired_points = expiry.expire_points()
            expired_vouchers = expiry.expire_vouchers()
    except AlreadyRunning as running:
        click.echo(
            f"another copy is running (until {running.until:%Y-%m-%d %H:%M} UTC at the latest)"
        )
        return
    click.echo(f"activity weeks added: {weeks}")
    click.echo(
        f"deliveries booked: {tally['booked']}, given back: {tally['withdrawn']}, "
        f"not booked because the meal is full: {tally['full']}"
    )
    click.echo(
        f"points expired on accounts: {expired_points}, vouchers expired: {expired_vouchers}"
    )


@click.command("retention")
@with_appcontext
def retention_command():
    """Erase the details of residents who moved out or died longer ago than their street office
    keeps them. Run every night; run again, it erases nobody twice."""
    from portal.administration import retention
    from portal.jobs import AlreadyRunning

    try:
        erased = retention.run()
    except AlreadyRunning as running:
        click.echo(
            f"another copy is running (until {running.until:%Y-%m-%d %H:%M} UTC at the latest)"
        )
        return
    click.echo(f"residents anonymised: {erased}")


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path):
    """Copy the SQLite database to DESTINATION, a new file, while the portal runs."""
    from portal.backups import BackupError, backup

    try:
        pages = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], destination)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {pages} pages to {destination} ({destination.stat().st_size} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces every record with the backup's. Go on?")
@with_appcontext
def restore_command(source: Path):
    """Replace the SQLite database with the backup in SOURCE. Stop the web workers first."""
    from portal.backups import BackupError, restore
    from portal.extensions import db

    try:
        pages = restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    db.engine.dispose()
    click.echo(f"Restored {pages} pages from {source}.")


@click.group("push")
def push_group():
    """Web Push: notifications that pop up on people's phones."""


@push_group.command("keys")
def push_keys_command():
    """Print a new VAPID key pair, to set as VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY once; a new
    pair later means every phone must allow notifications again."""
    from portal.notifications.push import new_keys

    public, private = new_keys()
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo(f"VAPID_PRIVATE_KEY={private}")


@click.group("admin")
def admin_group():
    """The accounts of the people who run the portal."""


@admin_group.command("create")
@click.option("--street-office", prompt="Street office (街道办)", help="The street office's name.")
@click.option("--street-hotline", prompt="Street office hotline", help="Its public number.")
@click.option("--community", prompt="Community (社区)", help="The community's name.")
@click.option("--community-hotline", prompt="Community hotline", help="Its public number.")
@click.option("--timezone", default=DEFAULT_TIMEZONE, show_default=True, help="The community's.")
@click.option("--name", prompt="Admin's name", help="The admin's full name.")
@click.option("--phone", prompt="Admin's mobile number", help="The admin signs in with it.")
@click.password_option(
    envvar="LINLI_ADMIN_PASSWORD", help="Asked for when not given; or LINLI_ADMIN_PASSWORD."
)
@with_appcontext
def admin_create_command(
    street_office, street_hotline, community, community_hotline, timezone, name, phone, password
):
    """Create the street office and its first community, unless they exist, and an admin of the
    community, who can then sign in and do the rest in the browser."""
    from sqlalchemy import inspect

    from portal.administration.first_run import FirstAdmin, Refused, create_first_admin
    from portal.extensions import db

    if not inspect(db.engine).has_table("person"):
        raise click.ClickException("The database has no tables yet: run `portal setup` first.")
    answers = FirstAdmin(
        street_office, street_hotline, community, community_hotline, name, phone, password, timezone
    )
    try:
        created = create_first_admin(answers)
    except Refused as refused:
        for problem in refused.problems:
            click.echo(f"- {problem}", err=True)
        raise click.ClickException("Nothing was saved.") from None
    place = created.community
    click.echo(
        f"{'Created' if created.new_street_office else 'Found'} the street office "
        f"{place.street_office.name}; "
        f"{'created' if created.new_community else 'found'} the community {place.name}."
    )
    click.echo(
        f"{created.admin.name} administers {place.name}: "
        f"sign in at /sign-in with {created.admin.phone} and the password."
    )


@click.group("translations")
def translations_group():
    """Extract, update and compile the message catalogues."""


@translations_group.command("update")
def translations_update():
    """Extract messages from portal/ and templates/ and merge them into every catalogue."""
    _pybabel(
        "extract",
        "-F",
        str(PROJECT_ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        str(POT_FILE),
        str(PROJECT_ROOT),
    )
    _pybabel(
        "update",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
        "-i",
        str(POT_FILE),
        "-d",
        str(TRANSLATIONS),
    )


@translations_group.command("compile")
def translations_compile():
    compile_translations()


def init_app(app: Flask) -> None:
    for command in (
        setup_command,
        demo_command,
        escalate_command,
        notify_command,
        remind_command,
        daily_command,
        care_command,
        retention_command,
        backup_command,
        restore_command,
        translations_group,
        admin_group,
        push_group,
    ):
        app.cli.add_command(command)


def main() -> None:
    from portal import create_app

    FlaskGroup(create_app=create_app, help="Linli community-services portal.")()
