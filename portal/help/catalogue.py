"""A community's catalogue of services: the buttons residents tap to ask for help, each filing a
kind of request (its category), going first to the grid or to a partner, free or at a price, and
open at some hours; with the questions a service asks, one per page, before the request is sent.

Until a community's admins change it, its catalogue is the six categories, as unsaved services
whose code is the category."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.audit import services as audit
from portal.community.models import Community
from portal.extensions import db
from portal.help.models import (
    RESIDENT_CATEGORIES,
    Category,
    Charge,
    Handler,
    HelpService,
    ServiceQuestion,
)
from portal.model_base import utcnow

ANSWER_MAX_LENGTH = 500
QUESTION_KINDS = ("choice", "yes_no", "text")
# How many buttons the kiosk shows before "More services".
KIOSK_BUTTONS = 6


def _default(community_id: int, category: str, position: int) -> HelpService:
    return HelpService(
        community_id=community_id,
        code=category,
        category=category,
        names={},
        hints={},
        handler=Handler.GRID,
        charge=Charge.FREE,
        open_days="1234567",
        position=position,
        on_kiosk=True,
    )


def defaults(community_id: int) -> list[HelpService]:
    """The catalogue of a community whose admins have not changed it: the six categories."""
    return [_default(community_id, c.value, i) for i, c in enumerate(RESIDENT_CATEGORIES)]


def _saved(community_id: int):
    """Every service the community saved, withdrawn ones too, in their order."""
    return (
        select(HelpService)
        .where(HelpService.community_id == community_id)
        .order_by(HelpService.position, HelpService.id)
    )


def has_catalogue(community_id: int) -> bool:
    return bool(
        db.session.scalar(select(func.count()).where(HelpService.community_id == community_id))
    )


def services_of(community_id: int, withdrawn: bool = False) -> list[HelpService]:
    """The community's services, in their order: its saved catalogue, or the six categories when
    it has never saved one. The withdrawn services are read in the same statement, as a catalogue
    whose every service is withdrawn is empty, not the six categories; the questions come joined,
    as a catalogue is a dozen services with a few questions each."""
    query = _saved(community_id).options(db.joinedload(HelpService.questions))
    saved = list(db.session.scalars(query).unique())
    if not saved:
        return defaults(community_id)
    return saved if withdrawn else [service for service in saved if service.withdrawn_at is None]


@dataclass
class Buttons:
    """What the kiosk shows: a few big buttons, and whether more services lie behind them."""

    shown: list[HelpService]
    more: bool


def kiosk_buttons(community_id: int) -> Buttons:
    services = services_of(community_id)
    chosen = [s for s in services if s.on_kiosk][:KIOSK_BUTTONS]
    return Buttons(chosen, more=len(chosen) < len(services))


# A feature that knows the kinds of a category (the paperwork a grid worker does for residents)
# registers for it a step before asking: a function of the service and the resident giving the
# address of its page where the resident chooses what they need.
_first_steps: dict[str, Callable[[HelpService, Person], str]] = {}


def register_first_step(category: str, step: Callable[[HelpService, Person], str]) -> None:
    _first_steps[category] = step


def first_step(service: HelpService, resident: Person) -> str | None:
    """Where the service's button leads before the request is sent, or None when it is sent in
    one tap (or its own questions come first)."""
    step = _first_steps.get(service.category)
    return step(service, resident) if step is not None and not service.questions else None


def service_by_code(community_id: int, code: str) -> HelpService | None:
    """The community's service with this code (not withdrawn), or None."""
    return next((s for s in services_of(community_id) if s.code == code), None)


def service_of(community_id: int, service_id: int) -> HelpService | None:
    found = db.session.get(HelpService, service_id)
    return found if found is not None and found.community_id == community_id else None


def is_open(service: HelpService, community: Community, now: datetime | None = None) -> bool:
    """Whether the service is open at now (naive UTC) in the community's time zone."""
    local = community.local_time(now or utcnow())
    if str(local.isoweekday()) not in service.open_days:
        return False
    if service.opens is None or service.closes is None:
        return True
    return service.opens <= local.time() < service.closes


# Answers ----------------------------------------------------------------------------------------


class BadAnswer(ValueError):
    """The answer to question number index (from 0) is missing or not one it takes."""

    def __init__(self, index: int, missing: bool):
        super().__init__(index)
        self.index, self.missing = index, missing


YES_NO = {
    "yes": {"zh_Hans": "是", "zh_Hant": "是", "en": "Yes"},
    "no": {"zh_Hans": "否", "zh_Hant": "否", "en": "No"},
}


def answer_of(question: ServiceQuestion, index: int, sent: str | None) -> dict | None:
    """The answer sent to the question as it is kept ({language: words}), None when it was
    left out and may be; raises BadAnswer."""
    sent = (sent or "").strip()
    if not sent:
        if question.required:
            raise BadAnswer(index, missing=True)
        return None
    if question.kind == "text":
        if len(sent) > ANSWER_MAX_LENGTH:
            raise BadAnswer(index, missing=False)
        return {"text": sent}
    if question.kind == "yes_no":
        if sent not in YES_NO:
            raise BadAnswer(index, missing=False)
        return YES_NO[sent]
    if not sent.isascii() or not sent.isdigit() or int(sent) >= len(question.choices):
        raise BadAnswer(index, missing=False)
    return question.choices[int(sent)]


def answers_of(service: HelpService, sent: list[str | None]) -> list[dict]:
    """Every question's answer as the request keeps it: the question's words and the answer's, so
    the request reads the same after the question changes. Raises BadAnswer for the first bad."""
    kept = []
    for index, question in enumerate(service.questions):
        answer = answer_of(question, index, sent[index] if index < len(sent) else None)
        if answer is not None:
            kept.append({"question": dict(question.texts), "answer": answer})
    return kept


# Keeping the catalogue --------------------------------------------------------------------------


def _add_defaults(admin: Person, community_id: int) -> bool:
    """Add the six categories as the community's saved catalogue, audited, unless it has one;
    whether it added them. The caller commits."""
    if has_catalogue(community_id):
        return False
    db.session.add_all(defaults(community_id))
    audit.record(admin, "help.catalogue_started")
    return True


def start(admin: Person, community_id: int) -> list[HelpService]:
    """Save the six categories as the community's catalogue, so its admins can change them; does
    nothing when it has one. Returns the catalogue."""
    if _add_defaults(admin, community_id):
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another admin started it a moment ago
    return list(db.session.scalars(_saved(community_id)))


class CodeTaken(ValueError):
    """Another service of the community has this code."""


@dataclass
class Details:
    """What an admin sets on a service."""

    code: str
    category: str
    names: dict
    hints: dict
    handler: str
    partner_id: int | None
    charge: str
    price_fen: int | None
    open_days: str
    opens: time | None
    closes: time | None
    position: int
    on_kiosk: bool


def save(admin: Person, service: HelpService, details: Details) -> HelpService:
    """Add the service (no id yet) or change it; audited. The first service a community adds
    joins the six categories, which become its saved catalogue. Raises CodeTaken."""
    if details.category not in {c.value for c in Category}:
        raise ValueError(details.category)
    if service.id is None:
        _add_defaults(admin, service.community_id)
    for name, value in vars(details).items():
        setattr(service, name, value)
    if service.handler != Handler.PARTNER:
        service.partner_id = None
    if service.charge in (Charge.FREE, Charge.QUOTE):
        service.price_fen = None
    db.session.add(service)
    try:
        db.session.flush()
    except IntegrityError as taken:
        db.session.rollback()
        raise CodeTaken(details.code) from taken
    audit.record(admin, "help.service_saved", service=details.code)
    db.session.commit()
    return service


def withdraw(admin: Person, service: HelpService, now: datetime | None = None) -> None:
    """Take the service off the catalogue; requests already made keep it."""
    service.withdrawn_at = now or utcnow()
    audit.record(admin, "help.service_withdrawn", service=service.code)
    db.session.commit()


def restore(admin: Person, service: HelpService) -> None:
    service.withdrawn_at = None
    audit.record(admin, "help.service_saved", service=service.code)
    db.session.commit()


def add_question(
    admin: Person, service: HelpService, texts: dict, kind: str, choices: list[dict], required: bool
) -> ServiceQuestion:
    """A question at the end of the service's questions."""
    if kind not in QUESTION_KINDS:
        raise ValueError(kind)
    question = ServiceQuestion(
        texts=texts,
        kind=kind,
        choices=choices if kind == "choice" else [],
        required=required,
        position=max((q.position for q in service.questions), default=-1) + 1,
    )
    service.questions.append(question)
    audit.record(admin, "help.service_saved", service=service.code)
    db.session.commit()
    return question


def remove_question(admin: Person, service: HelpService, question_id: int) -> None:
    question = next((q for q in service.questions if q.id == question_id), None)
    if question is None:
        raise LookupError(question_id)
    service.questions.remove(question)
    audit.record(admin, "help.service_saved", service=service.code)
    db.session.commit()
