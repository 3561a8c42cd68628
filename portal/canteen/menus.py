"""Staff rules for canteens: who manages which canteen, its meal services and price tiers, and
the menu of each meal. Every change is written to the audit log in the same commit."""

from datetime import date, datetime, timedelta

from sqlalchemy import false, func, select, update

from portal.accounts.models import Person, Role, administered_by
from portal.audit import services as audit
from portal.canteen import seams
from portal.canteen.models import Booking, BookingStatus, Canteen, Dish, MealDay, MealService
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow

CANTEEN_FIELDS = (
    "name",
    "phone",
    "senior_age",
    "senior_discount_percent",
    "senior_price_fen",
    "free_age",
    "free_needs_special_support",
)
SERVICE_FIELDS = ("kind", "serving_start", "serving_end", "cutoff", "capacity")
DISH_FIELDS = (
    "name_zh_hans",
    "name_zh_hant",
    "name_en",
    "price_fen",
    "category",
    "tags",
    "allergens",
    "portions",
    "photo",
)


class MenuError(Exception):
    """A staff change that the canteen's rules refuse; views turn each kind into a message."""


class ServiceTaken(MenuError):
    """The canteen already has a service of that kind (one lunch, one dinner)."""


class BadTimes(MenuError):
    """The serving window ends before it starts, or booking closes after serving begins."""


class BelowBooked(MenuError):
    """A capacity or a dish's portions set below what residents have already booked."""

    def __init__(self, booked: int):
        super().__init__(booked)
        self.booked = booked


class NothingToPublish(MenuError):
    """A meal without dishes cannot be shown to residents."""


class DishBooked(MenuError):
    """A dish residents have booked cannot be removed; they would lose their meal."""

    def __init__(self, booked: int):
        super().__init__(booked)
        self.booked = booked


# Who manages what -------------------------------------------------------------------------------


def may_manage(person: Person, place: Canteen) -> bool:
    """Admins manage the canteens of the communities they administer; canteen staff those of
    their own community."""
    if person.administers(place.community_id):
        return True
    return person.has_role(Role.CANTEEN_STAFF) and person.community_id == place.community_id


def _managed(person: Person, community_column):
    """The condition on community_column for the communities whose canteens person manages."""
    if person.has_role(Role.ADMIN):
        return administered_by(person, community_column)
    if person.has_role(Role.CANTEEN_STAFF):
        return community_column == person.community_id
    return false()


def managed_canteens(person: Person) -> list[Canteen]:
    query = select(Canteen).where(_managed(person, Canteen.community_id))
    return list(db.session.scalars(query.order_by(Canteen.community_id, Canteen.id)))


def get_canteen(canteen_id: int) -> Canteen | None:
    return db.session.get(Canteen, canteen_id)


def canteen_managed_by(person: Person, canteen_id: int) -> Canteen | None:
    """The canteen with canteen_id if person manages it, else None: whether it exists is not
    theirs to learn."""
    place = get_canteen(canteen_id)
    return place if place is not None and may_manage(person, place) else None


def communities(person: Person) -> list[Community]:
    """The communities person may open a canteen in."""
    query = select(Community).where(administered_by(person, Community.id))
    return list(db.session.scalars(query.order_by(Community.name)))


# Canteens and their services --------------------------------------------------------------------


def save_canteen(actor: Person, place: Canteen | None, **values) -> Canteen:
    """Create a canteen (community_id in values) or change one's name, phone and price tiers.

    A fixed senior price and a percentage discount exclude each other: whichever is given wins.
    """
    created = place is None
    if created:
        place = Canteen(community_id=values.pop("community_id"))
        db.session.add(place)
    if values.get("senior_price_fen") is not None:
        values["senior_discount_percent"] = None
    changed = audit.apply_changes(place, CANTEEN_FIELDS, values)
    db.session.flush()
    if created or changed:
        action = "canteen.created" if created else "canteen.changed"
        audit.record(actor, action, canteen=place.id, **changed)
    db.session.commit()
    return place


def _check_times(values: dict) -> None:
    if values["serving_end"] <= values["serving_start"]:
        raise BadTimes()
    if values["cutoff"] > values["serving_start"]:
        raise BadTimes()


def save_service(
    actor: Person, place: Canteen, service: MealService | None, **values
) -> MealService:
    """Add lunch or dinner to a canteen, or change its window, cut-off and usual capacity.

    The usual capacity applies to meals added from now on; each meal's own capacity is changed
    in the menu editor, where what is already booked is checked.
    """
    _check_times(values)
    taken = db.session.scalar(
        select(MealService.id).where(
            MealService.canteen_id == place.id,
            MealService.kind == values["kind"],
            MealService.id != (service.id if service else -1),
        )
    )
    if taken is not None:
        raise ServiceTaken()
    created = service is None
    if created:
        service = MealService(canteen_id=place.id)
        db.session.add(service)
    changed = audit.apply_changes(service, SERVICE_FIELDS, values)
    db.session.flush()
    if created or changed:
        action = "canteen.service_added" if created else "canteen.service_changed"
        audit.record(actor, action, canteen=place.id, service=service.id, **changed)
    db.session.commit()
    return service


def get_service(place: Canteen, service_id: int) -> MealService | None:
    """One of place's services; another canteen's id is treated as not found."""
    service = db.session.get(MealService, service_id)
    return service if service is not None and service.canteen_id == place.id else None


# The menu of a meal -----------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of day's week."""
    return day - timedelta(days=day.weekday())


def week_of_menus(place: Canteen, monday: date) -> list[tuple[date, list[tuple]]]:
    """For each day of the week from monday: [(service, meal day or None)] in serving order."""
    services = list(place.services)
    meal_days = db.session.scalars(
        select(MealDay)
        .where(
            MealDay.service_id.in_([s.id for s in services]),
            MealDay.day >= monday,
            MealDay.day < monday + timedelta(days=7),
        )
        .options(db.selectinload(MealDay.dishes))
    ).all()
    found = {(m.service_id, m.day): m for m in meal_days}
    days = [monday + timedelta(days=n) for n in range(7)]
    return [(day, [(s, found.get((s.id, day))) for s in services]) for day in days]


def find_meal_day(service: MealService, day: date) -> MealDay | None:
    """The meal of service on day with its dishes and their photos, or None."""
    return db.session.scalar(
        select(MealDay)
        .filter_by(service_id=service.id, day=day)
        .options(db.selectinload(MealDay.dishes).joinedload(Dish.photo))
    )


def _meal_day(service: MealService, day: date) -> MealDay:
    """The meal of service on day, made (unpublished, with the usual capacity) if there is none."""
    meal_day = find_meal_day(service, day)
    if meal_day is None:
        meal_day = MealDay(service=service, day=day, capacity=service.capacity, published=False)
        db.session.add(meal_day)
        db.session.flush()
    return meal_day


def _record(actor: Person, action: str, meal_day: MealDay, **detail) -> None:
    audit.record(
        actor,
        action,
        canteen=meal_day.service.canteen_id,
        meal=f"{meal_day.day.isoformat()} {meal_day.service.kind}",
        **detail,
    )


def set_capacity(actor: Person, meal_day: MealDay, capacity: int) -> MealDay:
    """Change how many portions a meal has; never below what is already booked.

    The check and the change are one conditional update, so a booking made at the same moment
    cannot slip under a lowered capacity. Raises BelowBooked with the number booked.
    """
    old = meal_day.capacity
    changed = db.session.execute(
        update(MealDay)
        .where(MealDay.id == meal_day.id, MealDay.booked <= capacity)
        .values(capacity=capacity)
    ).rowcount
    if not changed:
        db.session.rollback()
        db.session.refresh(meal_day)
        raise BelowBooked(meal_day.booked)
    _record(actor, "canteen.capacity", meal_day, capacity=f"{old} → {capacity}")
    db.session.commit()
    db.session.refresh(meal_day)
    return meal_day


def publish(
    actor: Person, meal_day: MealDay, published: bool, now: datetime | None = None
) -> MealDay:
    """Show the meal to residents, or take it off their list. Bookings made stay valid. The
    meal's deliveries are booked before residents can see it (seams.meal_published)."""
    if published and not meal_day.dishes:
        raise NothingToPublish()
    if meal_day.published != published:
        if published:
            seams.meal_published.send(meal_day, now=now)
        meal_day.published = published
        _record(actor, "canteen.published" if published else "canteen.unpublished", meal_day)
        db.session.commit()
    return meal_day


def add_dish(actor: Person, service: MealService, day: date, **values) -> Dish:
    """Put a dish on the menu of service on day, making that meal if needed."""
    meal_day = _meal_day(service, day)
    dish = Dish(meal_day=meal_day, booked=0)
    db.session.add(dish)
    changed = audit.apply_changes(dish, DISH_FIELDS, values)
    db.session.flush()
    _record(actor, "canteen.dish_added", meal_day, dish=dish.id, **changed)
    db.session.commit()
    return dish


def update_dish(actor: Person, dish: Dish, **values) -> Dish:
    """Change a dish. Bookings already made keep the price they were made at; portions cannot go
    below what is booked (raises BelowBooked)."""
    portions, before = values.get("portions"), dish.portions
    if portions is not None:
        changed = db.session.execute(
            update(Dish)
            .where(Dish.id == dish.id, Dish.booked <= portions)
            .values(portions=portions)
        ).rowcount
        if not changed:
            db.session.rollback()
            db.session.refresh(dish)
            raise BelowBooked(dish.booked)
        db.session.expire(dish, ["portions"])
    changes = audit.apply_changes(dish, DISH_FIELDS, values)
    if portions is not None and portions != before:
        changes["portions"] = f"{'' if before is None else before} → {portions}"
    if changes:
        _record(actor, "canteen.dish_changed", dish.meal_day, dish=dish.id, **changes)
    db.session.commit()
    return dish


def standing_bookings(dish: Dish) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.dish_id == dish.id, Booking.status != BookingStatus.CANCELLED)
    )


def remove_dish(actor: Person, dish: Dish) -> None:
    """Take a dish off the menu. Refused (DishBooked) while anyone holds a booking for it. The
    dish is kept, withdrawn, for the history of cancelled bookings; a meal left without dishes is
    taken off the residents' list."""
    booked = standing_bookings(dish)
    if booked:
        raise DishBooked(booked)
    meal_day = dish.meal_day
    dish.withdrawn_at = utcnow()
    db.session.flush()
    db.session.expire(meal_day, ["dishes"])
    if not meal_day.dishes:
        meal_day.published = False
    _record(actor, "canteen.dish_removed", meal_day, dish=dish.id, name=dish.name_zh_hans)
    db.session.commit()


def get_dish(place: Canteen, dish_id: int) -> Dish | None:
    """One of place's dishes; another canteen's id is treated as not found."""
    dish = db.session.get(Dish, dish_id)
    if dish is None or dish.withdrawn_at or dish.meal_day.service.canteen_id != place.id:
        return None
    return dish


def copy_last_week(actor: Person, place: Canteen, monday: date) -> int:
    """Copy the dishes of the week before monday into the week from monday, in one action.

    Only meals that have no dishes yet are filled, so running it twice adds nothing and no
    planned menu is overwritten. The copies are unpublished, for staff to check and publish.
    Returns the number of meals filled.
    """
    source = {
        (service.id, day + timedelta(days=7)): meal_day
        for day, row in week_of_menus(place, monday - timedelta(days=7))
        for service, meal_day in row
        if meal_day is not None and meal_day.dishes
    }
    filled = 0
    for day, row in week_of_menus(place, monday):
        for service, meal_day in row:
            earlier = source.get((service.id, day))
            if earlier is None or (meal_day is not None and meal_day.dishes):
                continue
            target = meal_day or _meal_day(service, day)
            for dish in earlier.dishes:
                db.session.add(
                    Dish(
                        meal_day=target,
                        booked=0,
                        **{field: getattr(dish, field) for field in DISH_FIELDS},
                    )
                )
            filled += 1
    if filled:
        audit.record(
            actor, "canteen.week_copied", canteen=place.id, week=monday.isoformat(), meals=filled
        )
    db.session.commit()
    return filled


def publish_week(actor: Person, place: Canteen, monday: date) -> int:
    """Publish every meal of the week that has dishes; returns how many were newly published."""
    published = 0
    for _day, row in week_of_menus(place, monday):
        for _service, meal_day in row:
            if meal_day is not None and meal_day.dishes and not meal_day.published:
                seams.meal_published.send(meal_day, now=None)
                meal_day.published = True
                published += 1
    if published:
        audit.record(
            actor,
            "canteen.week_published",
            canteen=place.id,
            week=monday.isoformat(),
            meals=published,
        )
    db.session.commit()
    return published
