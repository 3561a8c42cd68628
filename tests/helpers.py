"""Builders for the people and places tests need, and small helpers for reading pages."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from sqlalchemy import text

from portal.accounts.models import Person, Role, RoleGrant
from portal.accounts.services import set_password, set_pin
from portal.activities.models import Event, Venue
from portal.canteen.models import Canteen, Dish, MealDay, MealService
from portal.community.models import Building, Community, Grid, StreetOffice
from portal.extensions import db

PASSWORD = "correct horse 42"
PIN = "4826"


class World:
    """A street office with one community, one grid and one building, and a way to add people."""

    def __init__(self):
        self.street = StreetOffice(name="测试街道", hotline="0871-60000000")
        self.community = Community(
            name="测试社区", hotline="0871-61111111", street_office=self.street
        )
        self.grid = Grid(name="第一网格", community=self.community)
        self.building = Building(name="1号楼", grid=self.grid)
        db.session.add_all([self.street, self.community, self.grid, self.building])
        db.session.commit()
        self._phones = 0
        self._codes = 0

    def person(
        self, *roles: Role, name: str = "测试人", grid: Grid | None = None, **fields
    ) -> Person:
        """A committed person holding roles; phone and password unless a resident, who gets a code and PIN."""
        person = Person(name=name, **{"community": self.community, **fields})
        if Role.RESIDENT in roles:
            self._codes += 1
            person.resident_code = person.resident_code or f"{200000 + self._codes}"
            person.building = person.building or self.building
            person.birth_date = person.birth_date or date(1945, 5, 1)
            set_pin(person, PIN)
        else:
            self._phones += 1
            person.phone = person.phone or f"139{self._phones:08d}"
            set_password(person, PASSWORD)
        for role in roles:
            served = grid or (self.grid if role in (Role.GRID_WORKER, Role.VOLUNTEER) else None)
            person.grants.append(RoleGrant(role=role, grid=served))
        db.session.add(person)
        db.session.commit()
        return person

    def event(
        self,
        starts_at: datetime,
        title: str = "太极拳",
        category: str = "exercise",
        *,
        hours: float = 1,
        organiser: Person | None = None,
        **fields,
    ) -> Event:
        """A committed activity of hours (one by default) in a new room of the world's
        community, organised by organiser or a new one; fields are the Event's other columns."""
        room = Venue(community=self.community, name="活动室", capacity=30)
        event = Event(
            community=self.community,
            venue=room,
            organiser=organiser or self.person(Role.ORGANISER),
            title_zh_hans=title,
            category=category,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            **fields,
        )
        db.session.add_all([room, event])
        db.session.commit()
        return event

    def canteen(self, community: Community | None = None, capacity: int = 40, **fields) -> Canteen:
        """A committed canteen of community (the world's by default), named 幸福食堂 unless fields
        say otherwise, with a lunch for capacity people, served 11:00–13:00 and booked until 09:30."""
        place = Canteen(community=community or self.community, **{"name": "幸福食堂", **fields})
        lunch = MealService(
            canteen=place,
            kind="lunch",
            serving_start=time(11),
            serving_end=time(13),
            cutoff=time(9, 30),
            capacity=capacity,
        )
        db.session.add_all([place, lunch])
        db.session.commit()
        return place

    def lunch(
        self, day: date, *dishes: dict, capacity: int = 40, published: bool = True, **fields
    ) -> MealDay:
        """A committed lunch on day at a new canteen (see canteen(), fields are the canteen's),
        for capacity people, with dishes given as Dish columns (one 红烧肉 at ¥15 by default)."""
        service = self.canteen(capacity=capacity, **fields).services[0]
        meal_day = MealDay(service=service, day=day, published=published, capacity=capacity)
        db.session.add(meal_day)
        for columns in dishes or ({"name_zh_hans": "红烧肉", "price_fen": 1500},):
            db.session.add(Dish(meal_day=meal_day, **columns))
        db.session.commit()
        return meal_day

    def canteen_serving(
        self,
        days: list[date],
        *,
        lunch_capacity: int = 80,
        dinner_capacity: int = 80,
        lunch: tuple[dict, ...] = (
            {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500},
        ),
        dinner: tuple[dict, ...] = (
            {"name_zh_hans": "牛肉面", "name_en": "Beef noodles", "price_fen": 1400},
        ),
        **fields,
    ) -> Canteen:
        """The community's canteen (named 幸福食堂 unless fields, the canteen's columns, say
        otherwise), serving lunch (11:00–13:00, booked until 09:30) and dinner (17:00–19:00,
        until 15:00) on each of days, published, with dishes given as Dish columns."""
        place = Canteen(
            community=self.community, **{"name": "幸福食堂", "phone": "0871-1234", **fields}
        )
        db.session.add(place)
        for kind, start, cutoff, capacity, dishes in (
            ("lunch", time(11), time(9, 30), lunch_capacity, lunch),
            ("dinner", time(17), time(15), dinner_capacity, dinner),
        ):
            service = MealService(
                canteen=place,
                kind=kind,
                serving_start=start,
                serving_end=start.replace(hour=start.hour + 2),
                cutoff=cutoff,
                capacity=capacity,
            )
            db.session.add(service)
            for day in days:
                meal_day = MealDay(service=service, day=day, published=True, capacity=capacity)
                db.session.add(meal_day)
                for columns in dishes:
                    db.session.add(Dish(meal_day=meal_day, **columns))
        db.session.commit()
        return place


def tomorrow_at(community: Community, hour: int) -> datetime:
    """hour o'clock tomorrow in the community's time zone, as naive UTC."""
    zone = ZoneInfo(community.timezone)
    day = datetime.now(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def empty_tables() -> None:
    """Delete every row of every table, children first; TRUNCATE on PostgreSQL."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


def html(response) -> BeautifulSoup:
    """The response body parsed, for assertions with CSS selectors."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(response) -> str:
    return " ".join(html(response).get_text(" ").split())


def catalogue_service(world, admin, code: str = "water", **changes):
    """A service of the world's community's catalogue: a free repair for the grid, named after
    water, open every day, first on the kiosk, unless changes say otherwise."""
    from portal.help import catalogue
    from portal.help.models import Charge, Handler, HelpService

    details = {
        "code": code,
        "category": "repair",
        "names": {"zh_Hans": "停水、水管", "en": "Water problem"},
        "hints": {},
        "handler": Handler.GRID,
        "partner_id": None,
        "charge": Charge.FREE,
        "price_fen": None,
        "open_days": "1234567",
        "opens": None,
        "closes": None,
        "position": 0,
        "on_kiosk": True,
        **changes,
    }
    return catalogue.save(
        admin, HelpService(community_id=world.community.id), catalogue.Details(**details)
    )


def ask_where(admin, service, required: bool = True):
    """The service's question: where is there no water, the kitchen (0) or the bathroom (1)."""
    from portal.help import catalogue

    return catalogue.add_question(
        admin,
        service,
        {"zh_Hans": "哪里没水？", "en": "Where is there no water?"},
        "choice",
        [{"zh_Hans": "厨房", "en": "Kitchen"}, {"zh_Hans": "卫生间", "en": "Bathroom"}],
        required,
    )
