"""Paperwork (代办) the grid workers do for residents: the kinds a community offers with the
documents to have ready, the request a resident sends for one, the documents taken and given back
(ticked by the worker, confirmed by the resident or family), how it went, and the recurring
paperwork each resident has due, with reminders a month and a week ahead."""

import calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts import day as worker_day
from portal.accounts.models import Person, Role
from portal.accounts.services import family_ids_of, may_act_for, serves
from portal.audit import services as audit
from portal.community.models import Building
from portal.extensions import db
from portal.help import catalogue
from portal.help import services as help
from portal.help.models import OPEN_STATUSES, Category, HelpRequest
from portal.model_base import utcnow
from portal.notifications.services import notify
from portal.paperwork.models import (
    CaseDocument,
    Outcome,
    PaperworkCase,
    PaperworkDue,
    PaperworkKind,
)

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
NOTE_MAX_LENGTH = 300
DOCUMENT_MAX_LENGTH = 60
# How far ahead recurring paperwork shows in the grid worker's list and reminds the resident.
WEEK_AHEAD = 7
# How far ahead of its date a due date may be set, and how far back.
DUE_SPAN_DAYS = 3 * 366


def _words(zh_hans: str, zh_hant: str, en: str) -> dict:
    return dict(zip(LANGUAGES, (zh_hans, zh_hant, en), strict=True))


ID_CARD = _words("身份证", "身分證", "ID card")
HUKOU = _words("户口本", "戶口名簿", "Household register (hukou)")
BANK_CARD = _words("银行卡", "銀行卡", "Bank card")
SOCIAL_SECURITY_CARD = _words("社保卡", "社保卡", "Social security card")
MEDICAL_CARD = _words("医保卡", "醫保卡", "Medical insurance card")

# The kinds a community starts with, the commonest of the twenty and more its office does.
USUAL_KINDS = (
    (
        "pension",
        _words("养老金认证", "養老金認證", "Pension authentication"),
        12,
        [ID_CARD, SOCIAL_SECURITY_CARD, BANK_CARD],
    ),
    (
        "medical_fee",
        _words("医保缴费", "醫保繳費", "Medical insurance payment"),
        12,
        [ID_CARD, MEDICAL_CARD],
    ),
    (
        "medical_claim",
        _words("医药费报销", "醫藥費報銷", "Medical bills refund"),
        None,
        [
            ID_CARD,
            MEDICAL_CARD,
            _words("医院发票和病历", "醫院發票和病歷", "Hospital receipts and records"),
            BANK_CARD,
        ],
    ),
    (
        "old_age_allowance",
        _words("高龄津贴", "高齡津貼", "Old-age allowance"),
        None,
        [ID_CARD, HUKOU, BANK_CARD, _words("一寸照片两张", "一吋照片兩張", "Two small photos")],
    ),
    (
        "disability_card",
        _words("残疾证", "殘疾證", "Disability card"),
        None,
        [
            ID_CARD,
            HUKOU,
            _words("两寸照片三张", "二吋照片三張", "Three passport photos"),
            _words("医院诊断证明", "醫院診斷證明", "Doctor's certificate"),
        ],
    ),
    (
        "hardship",
        _words("困难救助", "困難救助", "Hardship assistance"),
        None,
        [ID_CARD, HUKOU, _words("收入证明", "收入證明", "Proof of income"), BANK_CARD],
    ),
)


class PaperworkError(Exception):
    """What was asked cannot be done."""


class NotAllowed(PaperworkError):
    """The person may not do this for this resident or request."""


class NotNow(PaperworkError):
    """Not at this point: the request is closed, the document was already given back."""


class BadDate(PaperworkError):
    """A date too far from today to be meant."""


def add_months(day: date, months: int) -> date:
    """The same day months later; the month's last day where it is shorter (29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# Kinds -------------------------------------------------------------------------------------------


def _has_kinds(community_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count()).where(PaperworkKind.community_id == community_id))
    )


def start_kinds(community_id: int, now: datetime | None = None) -> bool:
    """Give a community that has no kinds yet the usual ones; True if this call added them."""
    if _has_kinds(community_id):
        return False
    now = now or utcnow()
    for position, (code, names, every_months, documents) in enumerate(USUAL_KINDS):
        db.session.add(
            PaperworkKind(
                community_id=community_id,
                code=code,
                names=dict(names),
                documents=[dict(words) for words in documents],
                every_months=every_months,
                position=position,
                created_at=now,
                updated_at=now,
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another request started them a moment ago
        return False
    return True


def kinds_of(community_id: int, withdrawn: bool = False) -> list[PaperworkKind]:
    """The community's kinds in their order (the usual ones until its admins change them)."""
    start_kinds(community_id)
    query = select(PaperworkKind).where(PaperworkKind.community_id == community_id)
    if not withdrawn:
        query = query.where(PaperworkKind.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(PaperworkKind.position, PaperworkKind.id)))


def kind_by_code(community_id: int, code: str) -> PaperworkKind | None:
    return next((k for k in kinds_of(community_id) if k.code == code), None)


def kind_of(community_id: int, kind_id: int | None) -> PaperworkKind | None:
    found = db.session.get(PaperworkKind, kind_id) if kind_id else None
    return found if found is not None and found.community_id == community_id else None


def save_kind(
    admin: Person,
    community_id: int,
    kind: PaperworkKind | None,
    *,
    names: dict,
    documents: list[dict],
    every_months: int | None,
    now: datetime | None = None,
) -> PaperworkKind:
    """Add a kind (kind None) or change one, and audit it. Its code is made from its position."""
    now = now or utcnow()
    if not admin.administers(community_id):
        raise NotAllowed()
    if kind is None:
        count = db.session.scalar(
            select(func.count()).where(PaperworkKind.community_id == community_id)
        )
        kind = PaperworkKind(
            community_id=community_id, code=f"k{count + 1}", position=count, created_at=now
        )
        db.session.add(kind)
    elif kind.community_id != community_id:
        raise NotAllowed()
    kind.names = {language: words for language, words in names.items() if words}
    kind.documents = documents
    kind.every_months = every_months
    kind.updated_at = now
    db.session.flush()
    audit.record(admin, "paperwork.kind_saved", None, kind=kind.name("zh_Hans"))
    db.session.commit()
    return kind


def withdraw_kind(admin: Person, kind: PaperworkKind, withdrawn: bool = True) -> None:
    """Take a kind off the residents' list (True) or put it back (False); cases keep it."""
    if not admin.administers(kind.community_id):
        raise NotAllowed()
    kind.withdrawn_at = utcnow() if withdrawn else None
    action = "paperwork.kind_withdrawn" if withdrawn else "paperwork.kind_restored"
    audit.record(admin, action, None, kind=kind.name("zh_Hans"))
    db.session.commit()


# Asking --------------------------------------------------------------------------------------------


def documents_of(kind: PaperworkKind) -> list[CaseDocument]:
    """A new case's documents: the kind's checklist, none ticked yet."""
    return [
        CaseDocument(position=position, names=dict(words))
        for position, words in enumerate(kind.documents)
    ]


def ask(
    resident: Person,
    kind: PaperworkKind,
    by: Person,
    *,
    now: datetime | None = None,
    timers: help.Timers | None = None,
) -> tuple[HelpRequest, bool]:
    """Send the grid worker a request to do kind of paperwork for resident, through the
    community's paperwork service, with the documents to have ready on it; a double tap finds
    the request already sent for the same kind. Raises what help.raise_request() raises."""
    if kind.community_id != resident.community_id or kind.withdrawn_at is not None:
        raise NotAllowed()
    service = next(
        (
            s
            for s in catalogue.services_of(resident.community_id)
            if s.category == Category.PAPERWORK
        ),
        None,
    )

    def with_it(request: HelpRequest) -> None:
        db.session.add(
            PaperworkCase(request=request, kind_id=kind.id, documents=documents_of(kind))
        )

    return help.raise_request(
        resident,
        Category.PAPERWORK,
        by,
        now=now,
        timers=timers or help.Timers(),
        service=service,
        same_as=f"paperwork:{kind.code}",
        with_it=with_it,
    )


# Cases ---------------------------------------------------------------------------------------------


def case_of(request: HelpRequest) -> PaperworkCase | None:
    if request.category != Category.PAPERWORK:
        return None
    return db.session.get(PaperworkCase, request.id)


def cases_of(requests: list[HelpRequest]) -> dict[int, tuple[PaperworkCase, PaperworkDue | None]]:
    """{request id: (its case, the resident's due date of the case's kind or None)} for those of
    requests that are paperwork with a case: in one statement, whatever the requests, with the
    kinds, the documents and who ticked them."""
    rows = db.session.execute(
        select(PaperworkCase, PaperworkDue)
        .join(HelpRequest, HelpRequest.id == PaperworkCase.request_id)
        .outerjoin(
            PaperworkDue,
            and_(
                PaperworkDue.resident_id == HelpRequest.resident_id,
                PaperworkDue.kind_id == PaperworkCase.kind_id,
            ),
        )
        .where(PaperworkCase.request_id.in_([r.id for r in requests]))
        .options(
            db.joinedload(PaperworkCase.kind),
            db.joinedload(PaperworkCase.documents).options(
                *(
                    db.joinedload(getattr(CaseDocument, who))
                    for who in (
                        "received_by",
                        "received_confirmed_by",
                        "returned_by",
                        "return_confirmed_by",
                    )
                )
            ),
        )
    ).unique()
    return {case.request_id: (case, due) for case, due in rows}


def may_work_on(person: Person, request: HelpRequest) -> bool:
    """The grid workers and admins who deal with the request."""
    return (
        request.category == Category.PAPERWORK
        and (person.has_role(Role.GRID_WORKER) or person.has_role(Role.ADMIN))
        and help.can_see(person, request)
    )


def _working(person: Person, request: HelpRequest) -> None:
    if not may_work_on(person, request):
        raise NotAllowed()
    if not request.is_open:
        raise NotNow()


def choose_kind(
    person: Person, request: HelpRequest, kind: PaperworkKind, now: datetime | None = None
) -> PaperworkCase:
    """Say which paperwork the request is for; its documents become the kind's list. Once a
    document was taken, the kind stays (NotNow)."""
    _working(person, request)
    if kind.community_id != request.community_id:
        raise NotAllowed()
    case = case_of(request)
    if case is None:
        case = PaperworkCase(request_id=request.id, kind_id=kind.id)
        db.session.add(case)
    elif any(d.received_at for d in case.documents):
        raise NotNow()
    case.kind = kind
    case.documents = documents_of(kind)
    audit.record(
        person,
        "paperwork.kind_chosen",
        request.resident,
        request=request.reference,
        kind=kind.name("zh_Hans"),
    )
    db.session.commit()
    return case


def add_document(person: Person, request: HelpRequest, words: str) -> CaseDocument:
    """A document not on the kind's list that the worker takes too, named in their words."""
    _working(person, request)
    case = case_of(request)
    if case is None:
        raise NotNow()
    words = words.strip()[:DOCUMENT_MAX_LENGTH]
    document = CaseDocument(
        position=len(case.documents), names={language: words for language in LANGUAGES}
    )
    case.documents.append(document)
    audit.record(person, "paperwork.document_added", request.resident, request=request.reference)
    db.session.commit()
    return document


def _document(request: HelpRequest, document_id: int) -> CaseDocument:
    document = db.session.get(CaseDocument, document_id)
    if document is None or document.request_id != request.id:
        raise NotAllowed()
    return document


def _tick(
    person: Person, request: HelpRequest, document: CaseDocument, stage: str, now: datetime
) -> bool:
    """Set the document's stage ("received" or "returned") to now by person, once."""
    at = getattr(CaseDocument, f"{stage}_at")
    changed = db.session.execute(
        update(CaseDocument)
        .where(CaseDocument.id == document.id, at.is_(None))
        .values({at.key: now, f"{stage}_by_id": person.id})
    ).rowcount
    if changed:
        audit.record(
            person,
            "paperwork.document_taken" if stage == "received" else "paperwork.document_returned",
            request.resident,
            request=request.reference,
            document=document.name("zh_Hans"),
        )
    db.session.commit()
    db.session.refresh(document)
    return bool(changed)


def take(
    person: Person, request: HelpRequest, document_id: int, now: datetime | None = None
) -> bool:
    """Tick a document as taken by the worker; False if it was already ticked (by a colleague a
    moment ago, or a second tap)."""
    _working(person, request)
    return _tick(person, request, _document(request, document_id), "received", now or utcnow())


def give_back(
    person: Person, request: HelpRequest, document_id: int, now: datetime | None = None
) -> bool:
    """Tick a taken document as given back to the resident; False if it already was. A document
    never taken cannot be given back (NotNow). Allowed on a closed request too: a document can
    come back after the request is done."""
    if not may_work_on(person, request):
        raise NotAllowed()
    document = _document(request, document_id)
    if document.received_at is None:
        raise NotNow()
    return _tick(person, request, document, "returned", now or utcnow())


def to_confirm(case: PaperworkCase) -> dict[str, list[CaseDocument]]:
    """The documents the worker ticked that the resident's side has not confirmed yet: taken
    ("given") and given back ("back")."""
    return {
        "given": [d for d in case.documents if d.received_at and not d.received_confirmed_at],
        "back": [d for d in case.documents if d.returned_at and not d.return_confirmed_at],
    }


def confirm(person: Person, request: HelpRequest, stage: str, now: datetime | None = None) -> int:
    """The resident, or family for them, confirms the documents the worker ticked: that they
    handed them over (stage "given") or have them back ("back"). Returns how many were
    confirmed now; none when there was nothing left to confirm (a second tap)."""
    if not may_act_for(person, request.resident):
        raise NotAllowed()
    if stage not in ("given", "back"):
        raise NotNow()
    now = now or utcnow()
    ticked, confirmed_at, confirmed_by = {
        "given": (CaseDocument.received_at, "received_confirmed_at", "received_confirmed_by_id"),
        "back": (CaseDocument.returned_at, "return_confirmed_at", "return_confirmed_by_id"),
    }[stage]
    statement = (
        update(CaseDocument)
        .where(
            CaseDocument.request_id == request.id,
            ticked.is_not(None),
            getattr(CaseDocument, confirmed_at).is_(None),
        )
        .values({confirmed_at: now, confirmed_by: person.id})
    )
    confirmed = db.session.execute(statement).rowcount
    db.session.commit()
    db.session.expire_all()
    return confirmed


def _check_date(day: date | None, today: date) -> None:
    if day is not None and abs((day - today).days) > DUE_SPAN_DAYS:
        raise BadDate()


def record_outcome(
    person: Person,
    request: HelpRequest,
    outcome: Outcome,
    *,
    note: str | None = None,
    result_due_on: date | None = None,
    next_due_on: date | None = None,
    now: datetime | None = None,
) -> PaperworkCase:
    """Record how the paperwork went. Done paperwork of a recurring kind sets when the resident
    is next due (next_due_on, or the kind's months after today) and its reminders; submitted
    paperwork keeps when the office's answer is due."""
    _working(person, request)
    case = case_of(request)
    if case is None:
        raise NotNow()
    now = now or utcnow()
    today = request.resident.today(now)
    _check_date(result_due_on, today)
    _check_date(next_due_on, today)
    case.outcome = outcome
    case.outcome_note = (note or "").strip()[:NOTE_MAX_LENGTH] or None
    case.result_due_on = result_due_on if outcome == Outcome.SUBMITTED else None
    case.done_on = today if outcome == Outcome.DONE else None
    case.outcome_by_id, case.outcome_at = person.id, now
    if outcome == Outcome.DONE and case.kind.every_months:
        due_on = next_due_on or add_months(today, case.kind.every_months)
        _set_due(person, request.resident, case.kind, due_on, last_done_on=today, now=now)
    audit.record(
        person,
        "paperwork.recorded",
        request.resident,
        request=request.reference,
        outcome=outcome.value,
    )
    db.session.commit()
    return case


# Recurring paperwork ------------------------------------------------------------------------------


def _set_due(
    by: Person,
    resident: Person,
    kind: PaperworkKind,
    due_on: date,
    *,
    last_done_on: date | None = None,
    now: datetime,
) -> PaperworkDue:
    due = db.session.scalar(
        select(PaperworkDue).where(
            PaperworkDue.resident_id == resident.id, PaperworkDue.kind_id == kind.id
        )
    )
    if due is None:
        due = PaperworkDue(resident_id=resident.id, kind_id=kind.id, created_at=now)
        db.session.add(due)
    due.due_on, due.by_id, due.updated_at = due_on, by.id, now
    if last_done_on is not None:
        due.last_done_on = last_done_on
    return due


def set_due(
    staff: Person, resident: Person, kind: PaperworkKind, due_on: date, now: datetime | None = None
) -> PaperworkDue:
    """Record when resident's recurring paperwork of kind is next due (a worker or admin who
    serves them); audited."""
    now = now or utcnow()
    if not serves(staff, resident) or kind.community_id != resident.community_id:
        raise NotAllowed()
    if not kind.every_months:
        raise NotNow()
    _check_date(due_on, resident.today(now))
    due = _set_due(staff, resident, kind, due_on, now=now)
    audit.record(
        staff, "paperwork.due_set", resident, kind=kind.name("zh_Hans"), due_on=due_on.isoformat()
    )
    db.session.commit()
    return due


def remove_due(staff: Person, resident: Person, due_id: int) -> None:
    due = db.session.get(PaperworkDue, due_id)
    if due is None or due.resident_id != resident.id or not serves(staff, resident):
        raise NotAllowed()
    audit.record(staff, "paperwork.due_removed", resident, kind=due.kind.name("zh_Hans"))
    db.session.delete(due)
    db.session.commit()


def dues_of(resident: Person) -> list[PaperworkDue]:
    return list(
        db.session.scalars(
            select(PaperworkDue)
            .where(PaperworkDue.resident_id == resident.id)
            .options(db.joinedload(PaperworkDue.kind))
            .order_by(PaperworkDue.due_on, PaperworkDue.id)
        )
    )


def due_fingerprint(worker: Person, now: datetime) -> list:
    """Scalar subqueries that move whenever due_list(worker, now) could, but for the date: the
    due dates of the residents of worker's grids, and their communities' kinds."""
    grids = worker_day.grids_of(worker, now)
    if not grids:
        return []
    dues = PaperworkDue.resident_id.in_(worker_day.residents_of(grids))
    kinds = PaperworkKind.community_id.in_(worker_day.communities_of(grids))
    return [
        select(func.count(PaperworkDue.id)).where(dues).scalar_subquery(),
        select(func.max(PaperworkDue.updated_at)).where(dues).scalar_subquery(),
        select(func.max(PaperworkKind.updated_at)).where(kinds).scalar_subquery(),
    ]


def due_list(
    worker: Person, now: datetime | None = None, within_days: int = 31
) -> list[PaperworkDue]:
    """The recurring paperwork of the residents of worker's grids that is overdue or due within
    within_days (their community's today), soonest first."""
    now = now or utcnow()
    grids = worker_day.grids_of(worker, now)
    if not grids:
        return []
    horizon = worker.today(now) + timedelta(days=within_days)
    return list(
        db.session.scalars(
            select(PaperworkDue)
            .join(Person, Person.id == PaperworkDue.resident_id)
            .join(Building, Building.id == Person.building_id)
            .where(
                Building.grid_id.in_(grids),
                Person.active.is_(True),
                PaperworkDue.due_on <= horizon,
            )
            .options(
                db.joinedload(PaperworkDue.kind),
                db.joinedload(PaperworkDue.resident).joinedload(Person.building),
            )
            .order_by(PaperworkDue.due_on, Person.name_pinyin, PaperworkDue.id)
        )
    )


def open_request_for(due: PaperworkDue) -> HelpRequest | None:
    """The open request through which the due paperwork is being done, if there is one."""
    return db.session.scalar(
        select(HelpRequest)
        .join(PaperworkCase, PaperworkCase.request_id == HelpRequest.id)
        .where(
            HelpRequest.resident_id == due.resident_id,
            PaperworkCase.kind_id == due.kind_id,
            HelpRequest.status.in_(OPEN_STATUSES),
        )
        .order_by(HelpRequest.id.desc())
        .limit(1)
    )


def _remind(due: PaperworkDue, ahead: str) -> None:
    params = {
        "resident_id": due.resident_id,
        "resident": due.resident.name,
        "code": due.kind.code,
        "kind_names": due.kind.names,
        "due_on": due.due_on.isoformat(),
        "ahead": ahead,
    }
    for person_id in [due.resident_id, *family_ids_of(due.resident_id)]:
        notify(person_id, "paperwork.due", **params)


def send_reminders(now: datetime | None = None) -> int:
    """Remind each resident with recurring paperwork, and their family, a month before it is due
    and again a week before, once each per due date; return how many reminders were sent. One
    set only a week ahead or less gets the week's reminder alone. Safe to run as often as one
    likes."""
    now = now or utcnow()
    horizon = now.date() + timedelta(days=32)
    candidates: Iterable[PaperworkDue] = db.session.scalars(
        select(PaperworkDue)
        .join(Person, Person.id == PaperworkDue.resident_id)
        .where(
            Person.active.is_(True),
            PaperworkDue.due_on <= horizon,
            PaperworkDue.due_on >= now.date() - timedelta(days=1),
        )
        .options(db.joinedload(PaperworkDue.kind), db.joinedload(PaperworkDue.resident))
        .order_by(PaperworkDue.id)
    ).all()
    sent = 0
    for due in candidates:
        today = due.resident.today(now)
        if due.due_on < today or due.kind.withdrawn_at is not None:
            continue
        if due.due_on <= today + timedelta(days=WEEK_AHEAD):
            ahead, column = "week", PaperworkDue.week_reminder_for
        elif today >= add_months(due.due_on, -1):
            ahead, column = "month", PaperworkDue.month_reminder_for
        else:
            continue
        # Claimed by a conditional update, so that two copies running at once remind once.
        claimed = db.session.execute(
            update(PaperworkDue)
            .where(
                PaperworkDue.id == due.id,
                PaperworkDue.due_on == due.due_on,
                or_(column.is_(None), column != due.due_on),
            )
            .values({column.key: due.due_on, "month_reminder_for": due.due_on})
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            _remind(due, ahead)
            sent += 1
    db.session.commit()
    return sent


def export_of(resident: Person) -> list[dict]:
    """The resident's recurring paperwork, for the copy of their data."""
    return [
        {
            "kind": due.kind.name("zh_Hans"),
            "due_on": due.due_on.isoformat(),
            "last_done_on": due.last_done_on.isoformat() if due.last_done_on else "",
        }
        for due in dues_of(resident)
    ]
