"""Paperwork (代办): the kinds a community offers with what to have ready, a request for one, the
documents ticked by the grid worker and confirmed by the resident's side, how it went, and the
yearly paperwork each resident has due, with its reminders a month and a week ahead."""

from datetime import date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.community.models import Grid
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.notifications import messages
from portal.notifications.models import Notification
from portal.paperwork import seams
from portal.paperwork import services as paperwork
from portal.paperwork.models import Outcome, PaperworkCase, PaperworkDue

# 10:00 in Shanghai on a Wednesday in March, and the same hour on later days.
MARCH = datetime(2027, 3, 10, 2, 0)


def at(day: date, hour: int = 10) -> datetime:
    """hour o'clock in Shanghai on day, as naive UTC."""
    return datetime(day.year, day.month, day.day, hour - 8, 0)


def _pension(world):
    return paperwork.kind_by_code(world.community.id, "pension")


def _asked(people, world, now=MARCH):
    request, _created = paperwork.ask(people.resident, _pension(world), people.resident, now=now)
    return request


def _reminders(person):
    return db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == person.id, Notification.kind == "paperwork.due")
        .order_by(Notification.id)
    ).all()


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert paperwork.add_months(date(2027, 3, 10), 12) == date(2028, 3, 10)
    assert paperwork.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert paperwork.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert paperwork.add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_a_community_starts_with_the_usual_kinds_and_its_admins_change_them(people, world):
    kinds = paperwork.kinds_of(world.community.id)
    assert [k.code for k in kinds][:2] == ["pension", "medical_fee"] and len(kinds) == 6
    pension = kinds[0]
    assert pension.every_months == 12
    assert pension.document_names("zh_Hans") == ["身份证", "社保卡", "银行卡"]
    assert pension.document_names("en") == ["ID card", "Social security card", "Bank card"]
    assert len(paperwork.kinds_of(world.community.id)) == 6  # started once
    added = paperwork.save_kind(
        people.admin,
        world.community.id,
        None,
        names={"zh_Hans": "老年优待证", "zh_Hant": "", "en": "Senior card"},
        documents=[{"zh_Hans": "身份证", "en": "ID card"}, {"zh_Hans": "一寸照片"}],
        every_months=None,
    )
    assert added.code == "k7" and added.names == {"zh_Hans": "老年优待证", "en": "Senior card"}
    assert added.document_names("en") == ["ID card", "一寸照片"]
    paperwork.withdraw_kind(people.admin, added)
    assert added not in paperwork.kinds_of(world.community.id)
    assert added in paperwork.kinds_of(world.community.id, withdrawn=True)
    paperwork.withdraw_kind(people.admin, added, withdrawn=False)
    assert paperwork.kinds_of(world.community.id)[-1] == added
    with pytest.raises(paperwork.NotAllowed):
        paperwork.save_kind(
            people.worker,
            world.community.id,
            None,
            names={"zh_Hans": "x"},
            documents=[],
            every_months=None,
        )
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == [
        "paperwork.kind_saved",
        "paperwork.kind_withdrawn",
        "paperwork.kind_restored",
    ]


def test_asking_for_a_kind_sends_one_request_with_its_checklist(people, world):
    request = _asked(people, world)
    assert request.category == Category.PAPERWORK
    case = paperwork.case_of(request)
    assert case.kind.code == "pension"
    assert [d.name("zh_Hans") for d in case.documents] == ["身份证", "社保卡", "银行卡"]
    # A double tap finds the request; the family asking for the same finds it too.
    again, created = paperwork.ask(people.resident, _pension(world), people.family, now=MARCH)
    assert (again.id, created) == (request.id, False)
    assert len(db.session.scalars(select(PaperworkCase)).all()) == 1
    # Another kind is another request.
    other = paperwork.kind_by_code(world.community.id, "medical_claim")
    second, created = paperwork.ask(people.resident, other, people.resident, now=MARCH)
    assert created and second.id != request.id
    assert paperwork.case_of(second).kind == other
    # Only the resident and their family ask.
    with pytest.raises(help.NotAllowed):
        paperwork.ask(people.resident, other, people.volunteer, now=MARCH)


def test_documents_are_ticked_by_the_worker_and_confirmed_by_the_residents_side(people, world):
    request = _asked(people, world)
    help.take(request, people.worker, now=MARCH)
    case = paperwork.case_of(request)
    card, bank = case.documents[0], case.documents[2]
    with pytest.raises(paperwork.NotNow):
        paperwork.give_back(people.worker, request, card.id, now=MARCH)  # never taken
    assert paperwork.take(people.worker, request, card.id, now=MARCH)
    assert not paperwork.take(people.other_worker, request, card.id, now=MARCH)  # once
    assert paperwork.take(people.worker, request, bank.id, now=MARCH)
    assert card.received_by == people.worker
    assert [d.id for d in paperwork.to_confirm(case)["given"]] == [card.id, bank.id]
    # The daughter confirms the hand-over; a second tap confirms nothing more.
    assert paperwork.confirm(people.family, request, "given", now=MARCH) == 2
    assert paperwork.confirm(people.resident, request, "given", now=MARCH) == 0
    assert card.received_confirmed_by == people.family
    assert paperwork.give_back(people.worker, request, card.id, now=MARCH)
    assert not paperwork.give_back(people.worker, request, card.id, now=MARCH)
    assert [d.id for d in paperwork.to_confirm(case)["back"]] == [card.id]
    assert paperwork.confirm(people.resident, request, "back", now=MARCH) == 1
    assert card.return_confirmed_by == people.resident and bank.held
    # Nobody else ticks or confirms.
    for stranger in (people.volunteer, people.resident):
        with pytest.raises(paperwork.NotAllowed):
            paperwork.take(stranger, request, case.documents[1].id, now=MARCH)
    for stranger in (people.worker, people.volunteer):
        with pytest.raises(paperwork.NotAllowed):
            paperwork.confirm(stranger, request, "given", now=MARCH)
    elsewhere = world.person(
        Role.GRID_WORKER, grid=Grid(name="第二网格", community=world.community)
    )
    with pytest.raises(paperwork.NotAllowed):
        paperwork.take(elsewhere, request, case.documents[1].id, now=MARCH)
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == people.resident.id)
    ).all()
    assert audited.count("paperwork.document_taken") == 2
    assert audited.count("paperwork.document_returned") == 1


def test_a_kind_is_chosen_or_changed_until_a_document_is_taken(people, world):
    plain, _created = help.raise_request(people.resident, "paperwork", people.resident, now=MARCH)
    assert paperwork.case_of(plain) is None
    claim = paperwork.kind_by_code(world.community.id, "medical_claim")
    case = paperwork.choose_kind(people.worker, plain, claim)
    assert len(case.documents) == 4
    case = paperwork.choose_kind(people.worker, plain, _pension(world))
    assert [d.name("en") for d in case.documents] == [
        "ID card",
        "Social security card",
        "Bank card",
    ]
    paperwork.add_document(people.worker, plain, "  存折  ")
    assert case.documents[-1].name("en") == "存折"
    paperwork.take(people.worker, plain, case.documents[0].id)
    with pytest.raises(paperwork.NotNow):
        paperwork.choose_kind(people.worker, plain, claim)
    repair, _created = help.raise_request(people.resident, "repair", people.resident, now=MARCH)
    with pytest.raises(paperwork.NotAllowed):
        paperwork.choose_kind(people.worker, repair, claim)


def test_pension_done_through_a_request_is_due_next_year_with_two_reminders(people, world):
    request = _asked(people, world)
    help.take(request, people.worker, now=MARCH)
    case = paperwork.record_outcome(
        people.worker, request, Outcome.DONE, note="已人脸识别认证", now=MARCH
    )
    assert case.done_on == date(2027, 3, 10) and case.outcome_by == people.worker
    due = db.session.scalars(select(PaperworkDue)).one()
    assert (due.kind, due.due_on, due.last_done_on) == (
        _pension(world),
        date(2028, 3, 10),
        date(2027, 3, 10),
    )
    assert paperwork.send_reminders(at(date(2028, 2, 9))) == 0  # more than a month ahead
    assert paperwork.send_reminders(at(date(2028, 2, 10))) == 1  # a month ahead
    assert paperwork.send_reminders(at(date(2028, 2, 10), 18)) == 0  # once
    assert paperwork.send_reminders(at(date(2028, 3, 2))) == 0  # eight days ahead
    assert paperwork.send_reminders(at(date(2028, 3, 3))) == 1  # a week ahead
    assert paperwork.send_reminders(at(date(2028, 3, 5))) == 0
    assert paperwork.send_reminders(at(date(2028, 3, 11))) == 0  # late: the worker's list
    for person in (people.resident, people.family):
        told = _reminders(person)
        assert [n.params["ahead"] for n in told] == ["month", "week"]
        assert told[0].params["due_on"] == "2028-03-10"
    with force_locale("en"):
        text, link = messages.describe(_reminders(people.family)[1])
    assert text == (
        "王桂兰's Pension authentication is due in a week, on Fri, Mar 10. Ask the grid worker "
        "to come: this shows what to have ready."
    )
    assert link.endswith(f"/paperwork/ask/pension?resident_id={people.resident.id}")
    # Done again next year, the date moves on and the reminders start afresh.
    again = _asked(people, world, now=at(date(2028, 3, 8)))
    help.take(again, people.worker, now=at(date(2028, 3, 8)))
    paperwork.record_outcome(
        people.worker, again, Outcome.DONE, next_due_on=date(2029, 3, 1), now=at(date(2028, 3, 8))
    )
    db.session.refresh(due)
    assert (due.due_on, due.last_done_on) == (date(2029, 3, 1), date(2028, 3, 8))
    assert paperwork.send_reminders(at(date(2029, 2, 1))) == 1


def test_a_month_ahead_is_the_same_day_of_the_month_before_or_its_last(people, world):
    pension = _pension(world)
    paperwork.set_due(
        people.worker, people.resident, pension, date(2027, 12, 31), now=at(date(2027, 11, 1))
    )
    assert paperwork.send_reminders(at(date(2027, 11, 29))) == 0
    assert paperwork.send_reminders(at(date(2027, 11, 30))) == 1  # November has no 31st
    paperwork.set_due(
        people.worker, people.resident, pension, date(2028, 3, 31), now=at(date(2028, 2, 1))
    )
    assert paperwork.send_reminders(at(date(2028, 2, 28))) == 0
    assert paperwork.send_reminders(at(date(2028, 2, 29))) == 1


def test_a_due_set_within_the_week_gets_the_weeks_reminder_alone(people, world):
    now = at(date(2027, 6, 1))
    paperwork.set_due(people.worker, people.resident, _pension(world), date(2027, 6, 5), now=now)
    assert paperwork.send_reminders(now) == 1
    assert paperwork.send_reminders(now) == 0
    assert [n.params["ahead"] for n in _reminders(people.resident)] == ["week"]
    # A new date is reminded again.
    paperwork.set_due(people.admin, people.resident, _pension(world), date(2027, 6, 30), now=now)
    assert paperwork.send_reminders(now) == 1
    assert [n.params["ahead"] for n in _reminders(people.resident)] == ["week", "month"]


def test_due_dates_are_for_yearly_kinds_near_today_set_by_staff_who_serve(people, world):
    now = at(date(2027, 6, 1))
    claim = paperwork.kind_by_code(world.community.id, "medical_claim")
    with pytest.raises(paperwork.NotNow):
        paperwork.set_due(people.worker, people.resident, claim, date(2027, 7, 1), now=now)
    with pytest.raises(paperwork.BadDate):
        paperwork.set_due(
            people.worker, people.resident, _pension(world), date(2035, 1, 1), now=now
        )
    with pytest.raises(paperwork.NotAllowed):
        paperwork.set_due(people.volunteer, people.resident, _pension(world), date(2027, 7, 1))
    due = paperwork.set_due(people.worker, people.resident, _pension(world), date(2027, 7, 1))
    assert paperwork.dues_of(people.resident) == [due]
    with pytest.raises(paperwork.NotAllowed):
        paperwork.remove_due(people.volunteer, people.resident, due.id)
    paperwork.remove_due(people.admin, people.resident, due.id)
    assert paperwork.dues_of(people.resident) == []
    audited = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == people.resident.id)
    ).all()
    assert audited[-2:] == ["paperwork.due_set", "paperwork.due_removed"]


def test_the_grid_worker_lists_the_paperwork_due_within_a_month(people, world):
    now = at(date(2027, 6, 1))
    neighbour = world.person(Role.RESIDENT, name="张建国")
    far = world.person(Role.RESIDENT, name="赵秀英")
    pension = _pension(world)
    paperwork.set_due(people.worker, people.resident, pension, date(2027, 6, 20), now=now)
    paperwork.set_due(people.worker, neighbour, pension, date(2027, 5, 28), now=now)
    paperwork.set_due(people.worker, far, pension, date(2027, 8, 1), now=now)
    listed = paperwork.due_list(people.worker, now)
    assert [d.resident for d in listed] == [neighbour, people.resident]
    this_week = seams._due_this_week(people.worker, now)
    assert [item.subject.resident for item in this_week] == [neighbour]
    elsewhere = world.person(
        Role.GRID_WORKER, grid=Grid(name="第二网格", community=world.community)
    )
    assert paperwork.due_list(elsewhere, now) == []
    assert paperwork.due_list(people.volunteer, now) == []


def test_how_it_went_is_kept_and_dates_far_off_are_refused(people, world):
    request = _asked(people, world)
    help.take(request, people.worker, now=MARCH)
    case = paperwork.record_outcome(
        people.worker, request, Outcome.SUBMITTED, result_due_on=date(2027, 4, 10), now=MARCH
    )
    assert (case.outcome, case.result_due_on, case.done_on) == (
        "submitted",
        date(2027, 4, 10),
        None,
    )
    assert db.session.scalars(select(PaperworkDue)).all() == []  # not done yet
    with pytest.raises(paperwork.BadDate):
        paperwork.record_outcome(
            people.worker, request, Outcome.DONE, next_due_on=date(2031, 1, 1), now=MARCH
        )
    claim = paperwork.kind_by_code(world.community.id, "medical_claim")
    once, _created = paperwork.ask(people.resident, claim, people.resident, now=MARCH)
    help.take(once, people.worker, now=MARCH)
    paperwork.record_outcome(people.worker, once, Outcome.DONE, now=MARCH)
    assert db.session.scalars(select(PaperworkDue)).all() == []  # done once, never due
    help.resolve(once, people.worker, "办好了")
    help.confirm(once, people.resident, fixed=True)
    with pytest.raises(paperwork.NotNow):
        paperwork.record_outcome(people.worker, once, Outcome.NOT_DONE, now=MARCH)
