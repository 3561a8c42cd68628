"""A whole street office of generated people and history, for load tests and benchmarks.

`python -m bench.street` (or `--scale block`, small) builds it into the empty, migrated database
that DATABASE_URL names.
Every row follows from the seed; ids are assigned here, from 1, so that children name their
parents without reading them back, and rows go in with bulk inserts, a chunk at a time.
"""

import itertools
import random
import sys
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from heapq import heappop, heappush
from math import ceil, log, sqrt
from typing import NamedTuple
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import bindparam, func, insert, select, text, update
from werkzeug.security import generate_password_hash

from portal.accounts.models import (
    CareColour,
    FamilyLink,
    Kinship,
    LinkStatus,
    Person,
    Role,
    RoleGrant,
)
from portal.activities.models import Event, Series, SignUp, SignUpStatus, Venue
from portal.audit.models import AuditEntry
from portal.canteen.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Canteen,
    Dish,
    MealDay,
    MealService,
)
from portal.canteen.models import Canteen as CanteenModel
from portal.care.models import (
    CarePause,
    CareSharing,
    CareVisit,
    CheckIn,
    CheckInPlan,
    ColourChange,
    Outcome,
)
from portal.community.models import Building, Community, Grid, Partner, StreetOffice
from portal.delivery.bookings import DELIVERY_DAYS
from portal.delivery.models import (
    Delivery,
    DeliveryEnrolment,
    DeliveryPause,
    DeliveryRound,
    EnrolmentStatus,
)
from portal.delivery.services import DECLINE_REASONS
from portal.extensions import db
from portal.help.models import (
    OPEN_STATUSES,
    URGENT_CATEGORIES,
    VOLUNTEER_CATEGORIES,
    Feedback,
    HelpEvent,
    HelpRequest,
    Level,
    Status,
)
from portal.help.services import Timers
from portal.model_base import utcnow
from portal.notifications.models import Dispatch, Notification
from portal.paperwork import services as paperwork
from portal.paperwork.models import PaperworkDue
from portal.points.expiry import months_before
from portal.points.models import (
    MEAL_USES,
    AccountKind,
    Movement,
    PointsAccount,
    PointsEntry,
    PointsRule,
    PointsSettings,
    PointsTransaction,
    ServiceRecord,
    Voucher,
    VoucherKind,
    VoucherStatus,
    VoucherUse,
)
from portal.points.rules import DEFAULT_MINUTES, DEFAULT_POINTS, Rule
from portal.site.demo import (
    DEMO_PASSWORD,
    DEMO_PIN,
    DIET_NOTES,
    DISHES,
    GIVEN_FEMALE,
    GIVEN_MALE,
    PARTNERS,
    SURNAMES,
    VENUES,
    VOUCHER_KINDS,
    YOUNG_GIVEN,
)

SEED = 20261123
CHUNK = 5000
ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Scale:
    """How much a generated street holds: places, people, and the history behind them."""

    communities: int
    grids_per_community: int
    buildings: int
    residents: int
    family: int
    volunteers: int
    grid_workers: int
    canteens: int  # in the first communities, one each
    meal_days_past: int
    meal_days_ahead: int  # today included
    bookings: int
    enrolments: int
    events: int
    event_weeks_past: int
    event_weeks_ahead: int  # this week included
    help_requests: int
    help_days: int = 730
    care_days: int = 120  # care visits and check-ins: the history the care pages read
    points_days: int = 365  # service points: deeds, vouchers and expiry, up to now

    @property
    def people(self) -> int:
        """Everyone generated: an admin and an organiser per community, two canteen staff per
        canteen, grid workers, volunteers, a person of each partner, residents and family."""
        staff = 2 * self.communities + 2 * self.canteens + self.grid_workers
        staff += len(PARTNERS) * self.communities
        return staff + self.volunteers + self.residents + self.family

    @property
    def meal_days(self) -> int:
        """Lunch and dinner of every canteen on every day generated."""
        return self.canteens * 2 * (self.meal_days_past + self.meal_days_ahead)


SCALES = {
    "street": Scale(
        communities=9,
        grids_per_community=4,
        buildings=300,
        residents=12_000,
        family=3_000,
        volunteers=300,
        grid_workers=60,
        canteens=4,
        meal_days_past=90,
        meal_days_ahead=7,
        bookings=200_000,
        enrolments=5_000,
        events=2_000,
        event_weeks_past=16,
        event_weeks_ahead=4,
        help_requests=50_000,
        care_days=365,
    ),
    "block": Scale(
        communities=1,
        grids_per_community=4,
        buildings=20,
        residents=400,
        family=100,
        volunteers=20,
        grid_workers=4,
        canteens=1,
        meal_days_past=14,
        meal_days_ahead=7,
        bookings=3_000,
        enrolments=100,
        events=60,
        event_weeks_past=4,
        event_weeks_ahead=2,
        help_requests=1_000,
    ),
}

STREET = ("莲花街道办事处", "0871-64100000")
COMMUNITY_NAMES = (
    "春晖社区",
    "松鹤社区",
    "翠湖社区",
    "金桂社区",
    "青云社区",
    "银杏社区",
    "南屏社区",
    "北门社区",
    "东风社区",
    "西华社区",
    "玉泉社区",
    "明珠社区",
)
NUMERALS = "一二三四五六七八九十"
KINSHIP_WEIGHTS = {
    Kinship.DAUGHTER: 30,
    Kinship.SON: 30,
    Kinship.DAUGHTER_IN_LAW: 12,
    Kinship.SON_IN_LAW: 6,
    Kinship.GRANDCHILD: 15,
    Kinship.SPOUSE: 2,
    Kinship.RELATIVE: 5,
}
MORE_DIET_NOTES = ("不吃辣", "高血压，少盐", "吞咽不好，要切碎", "不吃海鲜")
DIET_NOTE_CHOICES = (*DIET_NOTES.values(), *MORE_DIET_NOTES)

# (kind, serving start, serving end, cut-off, share of the day's bookings)
SERVICES = (
    ("lunch", time(11), time(13), time(9, 30), 1.0),
    ("dinner", time(17), time(18, 30), time(15), 0.6),
)
WEEKDAY_CHOICES = (("0,1,2,3,4,5,6", 60), ("0,1,2,3,4", 25), ("0,2,4", 8), ("5,6", 3), ("1,3", 4))
ACCESS_NOTES = (
    "敲门要用力，耳朵不太好",
    "先打电话",
    "门口有鞋柜，饭放柜子上",
    "老伴行动不便，请多等一会儿",
    "楼道灯坏了，请带手电",
    "狗不咬人，别怕",
)

SLOTS = {
    "early": (time(7, 30), time(8, 30)),
    "morning": (time(9, 30), time(11)),
    "afternoon": (time(14, 30), time(16)),
}
# (title zh_Hans, zh_Hant, en, category, weekday, slot, venue index, capacity, sign-up)
SERIES = (
    ("象棋对弈", "象棋對弈", "Chinese chess", "chess", 1, "afternoon", 0, 16, True),
    ("书法练习", "書法練習", "Calligraphy practice", "calligraphy", 3, "morning", 1, 10, True),
    ("太极拳", "太極拳", "Tai chi", "exercise", 2, "early", 2, None, False),
    ("老年合唱团", "老年合唱團", "Seniors' choir", "other", 4, "morning", 0, 30, True),
    ("广场舞", "廣場舞", "Square dancing", "exercise", 0, "early", 2, None, False),
)
# (title zh_Hans, zh_Hant, en, category, venue index, capacity, sign-up)
ONE_OFFS = (
    (
        "冬季养生健康讲座",
        "冬季養生健康講座",
        "Staying well in winter: a health talk",
        "health_talk",
        0,
        30,
        True,
    ),
    (
        "高血压防治讲座",
        "高血壓防治講座",
        "Living with high blood pressure",
        "health_talk",
        0,
        35,
        True,
    ),
    ("识破养老诈骗", "識破養老詐騙", "Spotting pension scams", "anti_fraud", 0, 40, True),
    ("防范电信诈骗", "防範電信詐騙", "Phone and online scams", "anti_fraud", 0, 40, True),
    ("剪纸手工", "剪紙手工", "Paper cutting", "crafts", 1, 6, True),
    ("编织小组", "編織小組", "Knitting circle", "crafts", 1, 10, True),
    (
        "我们的节日：包饺子",
        "我們的節日：包餃子",
        "Our festivals: making dumplings",
        "festival",
        0,
        40,
        True,
    ),
    ("读书分享会", "讀書分享會", "Book sharing", "other", 1, 12, True),
    ("志愿者清洁家园", "志願者清潔家園", "Volunteers tidy the estate", "volunteer", 2, None, True),
    ("健康义诊", "健康義診", "Free health check", "health_talk", 2, None, False),
)
BIRTHDAY_VENUE = 2

HELP_NOTES = {
    "repair": (
        "厨房水龙头一直滴水",
        "卫生间灯不亮了",
        "门锁坏了，钥匙拧不动",
        "暖气不热",
        "下水道堵了",
    ),
    "errand": ("帮忙买降压药", "帮忙买点米和油", "取一下快递", "买菜：青菜、鸡蛋"),
    "paperwork": ("养老金资格认证", "医保报销材料", "高龄补贴申请", "身份证到期要换"),
    "unwell": ("头晕，站不稳", "胸口闷", "血压有点高"),
    "company": ("想找人聊聊天", "老伴住院了，一个人在家"),
    "other": ("手机不会用了", "电视没信号", "想问问社区活动"),
}
HELP_DONE = {
    "repair": ("已修好", "换了新的零件，已修好", "物业师傅已修好"),
    "errand": ("药已送到", "东西已送到家里", "已帮忙取回"),
    "paperwork": ("材料已帮忙递交", "已办好，证件下周可取"),
    "unwell": ("已陪同就医", "社区医生已上门看过"),
    "company": ("已上门陪伴聊天", "志愿者陪老人散步了"),
    "other": ("已处理好", "已教会老人使用"),
}
WORKER_NOTES = (
    ("已电话联系，下午上门", True),
    ("约好明天上午去看", True),
    ("需要买配件，等两天", True),
    ("老人独居，注意多去看看", False),
    ("家属电话打不通", False),
)
HAND_OFFS = {0: "请物业师傅上门维修", 1: "请水务派人检查水管", 2: "请社区医生上门看看"}
ESCALATION_REASONS = ("需要社区协调物业", "涉及多户，需要街道协调")
# How long each kind of request takes to put right once taken: median hours and spread.
HELP_WORK = {
    "repair": (12, 0.7),
    "errand": (3, 0.6),
    "paperwork": (16, 0.7),
    "unwell": (0.75, 0.5),
    "company": (5, 0.6),
    "other": (8, 0.8),
}
HELP_CATEGORY_WEIGHTS = {
    "repair": 30,
    "errand": 20,
    "paperwork": 15,
    "unwell": 8,
    "company": 12,
    "other": 15,
}


# Days between care visits per colour (the default cadence), why a colour was set, how visits went
# (most seen and well) and what a worker notes.
CARE_CADENCE = {CareColour.RED: 1, CareColour.YELLOW: 7, CareColour.GREEN: 30}
COLOUR_REASONS = {
    CareColour.RED: ("独居，行动不便", "失能，需每日看望", "独居高龄，有慢性病"),
    CareColour.YELLOW: ("空巢老人", "高龄独居", "患慢性病，需定期跟踪"),
    CareColour.GREEN: ("与子女同住", "身体健康，生活自理"),
}
VISIT_OUTCOMES = {
    Outcome.WELL: 80,
    Outcome.CONCERNS: 6,
    Outcome.NOT_HOME: 4,
    Outcome.IN_HOSPITAL: 1,
    Outcome.BY_PHONE: 9,
}
VISIT_NOTES = ("血压正常", "腿脚不便，需要买菜帮助", "精神不错", "提醒按时吃药", "家里暖气不热")


class NotEmpty(Exception):
    """The database already holds people; the street is built only into an empty one."""


def build_street(
    scale: Scale, seed: int = SEED, now: datetime | None = None, timers: Timers | None = None
) -> list[str]:
    """Generate the street described by scale into the empty database; return lines saying what
    was made, table by table. Raises NotEmpty when anyone is already in it."""
    if db.session.scalar(select(Person.id).limit(1)) is not None:
        raise NotEmpty(
            "The database already holds people: build the street into an empty one "
            "(a new database, then `portal setup`)."
        )
    started = clock.perf_counter()
    street = _Street(scale, seed, now or utcnow(), timers or Timers())
    street.build()
    _reset_sequences()
    _analyze()
    return [*street.summary(), f"Built in {clock.perf_counter() - started:.1f} s."]


@dataclass(slots=True)
class _Elder:
    """What later tables need to know about a generated resident."""

    id: int
    community_id: int
    grid_id: int
    building_id: int
    floor: int
    has_lift: bool
    birth_date: date
    special_support: bool
    care_colour: str
    diet_notes: str | None

    age_on = Person.age_on


@dataclass(slots=True)
class _Place:
    """A canteen's price rules, read by Canteen.price_for() as a Canteen would be."""

    id: int
    community_id: int
    senior_discount_percent: int | None
    senior_price_fen: int | None
    senior_age: int = 60
    free_age: int = 80
    free_needs_special_support: bool = True


@dataclass(slots=True)
class _Dish:
    """A dish on one meal's menu while its bookings are drawn."""

    id: int
    template: int  # its index in the demo's DISHES
    price_fen: int
    portions: int | None
    weight: float
    booked: int = 0


PERSON_DEFAULTS = {
    "phone": None,
    "password_hash": None,
    "resident_code": None,
    "pin_hash": None,
    "community_id": None,
    "building_id": None,
    "unit": None,
    "room": None,
    "birth_date": None,
    "care_colour": None,
    "special_support": False,
    "diet_notes": None,
    "active": True,
}


class _Street:
    """One street being generated: its random streams, and what later tables refer to."""

    def __init__(self, scale: Scale, seed: int, now: datetime, timers: Timers):
        self.scale, self.seed, self.now, self.timers = scale, seed, now, timers
        self.today = now.replace(tzinfo=UTC).astimezone(ZONE).date()
        # Everyone is registered in the first months, before the oldest history begins.
        self.opened = now - timedelta(days=scale.help_days + 120)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)
        self.pin_hash = generate_password_hash(DEMO_PIN)
        self.people: list[dict] = []
        self.grants: list[dict] = []
        self.phones: dict[str, int] = defaultdict(int)
        self.floors: dict[int, int] = {}

    def rng(self, part: str) -> random.Random:
        """The random stream of one part of the street, so that parts do not shift each other."""
        return random.Random(f"{self.seed}:{part}")

    def at(self, created: datetime, updated: datetime | None = None) -> dict:
        """The timestamps of a row made at created and last changed at updated (or then)."""
        return {"created_at": created, "updated_at": updated or created}

    def build(self) -> None:
        """Generate and insert every part, parents before children."""
        self.places()
        self.staff()
        self.residents()
        self.family()
        self.insert(Person, self.people)
        self.insert(RoleGrant, self.grants)
        self.insert(FamilyLink, self.links)
        self.canteens()
        self.activities()
        self.help()
        self.care()
        self.points()
        self.notifications()
        self.paperwork()

    def insert(self, model, rows: list[dict]) -> None:
        """Bulk-insert rows into model's table a chunk at a time, committing each chunk. The
        table's own insert, not the ORM's: on PostgreSQL it is several times faster."""
        name = model.__tablename__
        with click.progressbar(length=len(rows), label=f"{name:<20}", file=sys.stderr) as bar:
            for start in range(0, len(rows), CHUNK):
                part = rows[start : start + CHUNK]
                db.session.execute(insert(model.__table__), part)
                db.session.commit()
                bar.update(len(part))

    def summary(self) -> list[str]:
        """Rows per table as the database now counts them, and accounts to sign in with."""
        lines = [f"Street ready (seed {self.seed}):"]
        for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
            count = db.session.scalar(select(func.count()).select_from(table))
            lines.append(f"  {table.name:<20} {count:>8}")
        lines += [
            f"Every password: {DEMO_PASSWORD}    every resident PIN: {DEMO_PIN}",
            f"  admin           {self.people[0]['phone']} ({self.people[0]['name']})",
            f"  grid worker     {self.people[self.first_worker - 1]['phone']}",
            f"  resident        code {self.people[self.elders[0].id - 1]['resident_code']}",
            f"Points history ({self.scale.points_days} days) generated in {self.points_took:.1f} s.",
        ]
        return lines

    # Places ------------------------------------------------------------------------------------

    def places(self) -> None:
        """The street office, its communities and their grids, buildings and partners."""
        rng, sc, stamp = self.rng("places"), self.scale, self.at(self.opened)
        self.communities = [
            {
                "id": i + 1,
                "street_office_id": 1,
                "name": COMMUNITY_NAMES[i],
                "hotline": f"0871-6410{i + 1:02d}00",
                "timezone": ZONE.key,
                **stamp,
            }
            for i in range(sc.communities)
        ]
        self.grids = [
            {
                "id": c * sc.grids_per_community + g + 1,
                "community_id": c + 1,
                "name": f"第{NUMERALS[g]}网格",
                **stamp,
            }
            for c in range(sc.communities)
            for g in range(sc.grids_per_community)
        ]
        self.buildings = self._buildings(rng, stamp)
        self.partners = [
            {
                "id": c["id"] * len(PARTNERS) - len(PARTNERS) + k + 1,
                "community_id": c["id"],
                "name": f"{_short(c['name'])}{name}" if name.startswith("物业") else name,
                "phone": phone,
                "kind": kind,
                **stamp,
            }
            for c in self.communities
            for k, (name, phone, kind) in enumerate(PARTNERS)
        ]
        self.insert(StreetOffice, [{"id": 1, "name": STREET[0], "hotline": STREET[1], **stamp}])
        self.insert(Community, self.communities)
        self.insert(Grid, self.grids)
        self.insert(Building, self.buildings)
        self.insert(Partner, self.partners)

    def _buildings(self, rng: random.Random, stamp: dict) -> list[dict]:
        """Buildings over the grids; communities with a canteen are the larger ones."""
        sc = self.scale
        weights = [2 if c < sc.canteens else 1 for c in range(sc.communities)]
        rows = []
        for c, count in enumerate(_shares(sc.buildings, weights)):
            grids = self.grids[c * sc.grids_per_community : (c + 1) * sc.grids_per_community]
            for number in range(1, count + 1):
                lift = rng.random() < 0.35
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "grid_id": grids[(number - 1) % len(grids)]["id"],
                        "name": f"{number}号楼",
                        "has_lift": lift,
                        **stamp,
                    }
                )
                self.floors[len(rows)] = rng.randint(11, 18) if lift else rng.randint(5, 7)
        return rows

    # People ------------------------------------------------------------------------------------

    def phone(self, prefix: str) -> str:
        """The next mobile number of a 139 range: staff 1390, volunteers 1391, family 1392."""
        self.phones[prefix] += 1
        return f"{prefix}{self.phones[prefix]:07d}"

    def person(self, created: datetime, roles, grid_ids=(), partner_id=None, **fields) -> int:
        """Add a person with their role grants (a partner's people name it); return their id."""
        person_id = len(self.people) + 1
        self.people.append({**PERSON_DEFAULTS, **fields, "id": person_id, **self.at(created)})
        for role in roles:
            for grid_id in grid_ids or (None,):
                self.grants.append(
                    {
                        "id": len(self.grants) + 1,
                        "person_id": person_id,
                        "role": role.value,
                        "grid_id": grid_id,
                        "partner_id": partner_id,
                        **self.at(created),
                    }
                )
        return person_id

    def staff_member(
        self, rng, roles, community_id, grid_ids=(), elder=False, suffix="", partner_id=None
    ) -> int:
        """Add someone who signs in with a phone number and the demo password; return their id."""
        female = rng.random() < 0.6
        return self.person(
            self.opened + timedelta(days=rng.uniform(0, 30)),
            roles,
            grid_ids,
            partner_id,
            name=_name(rng, female, elder) + suffix,
            phone=self.phone("1391" if Role.VOLUNTEER in roles else "1390"),
            password_hash=self.password_hash,
            community_id=community_id,
        )

    def staff(self) -> None:
        """Admins, organisers and canteen staff per community, grid workers and volunteers, and
        one person of each partner."""
        rng, sc = self.rng("staff"), self.scale
        self.admin_of, self.organiser_of, self.cooks_of = {}, {}, defaultdict(list)
        for c in self.communities:
            self.admin_of[c["id"]] = self.staff_member(rng, [Role.ADMIN], c["id"])
            self.organiser_of[c["id"]] = self.staff_member(rng, [Role.ORGANISER], c["id"])
        for c in self.communities[: sc.canteens]:
            for _ in range(2):
                cook = self.staff_member(rng, [Role.CANTEEN_STAFF], c["id"], suffix="师傅")
                self.cooks_of[c["id"]].append(cook)
        self.workers_of, self.volunteers_of = defaultdict(list), defaultdict(list)
        self.first_worker = len(self.people) + 1
        for w in range(sc.grid_workers):
            grid = self.grids[w] if w < len(self.grids) else rng.choice(self.grids)
            worker = self.staff_member(rng, [Role.GRID_WORKER], grid["community_id"], [grid["id"]])
            self.workers_of[grid["id"]].append(worker)
        for v in range(sc.volunteers):
            self.volunteer(rng, self.grids[v % len(self.grids)])
        for partner in self.partners:
            self.staff_member(
                rng, [Role.PARTNER], partner["community_id"], partner_id=partner["id"]
            )

    def volunteer(self, rng: random.Random, grid: dict) -> None:
        """A volunteer of grid, and now and then of a second grid of the same community."""
        siblings = [
            g for g in self.grids if g["community_id"] == grid["community_id"] and g is not grid
        ]
        grids = [grid, rng.choice(siblings)] if siblings and rng.random() < 0.3 else [grid]
        person = self.staff_member(
            rng,
            [Role.VOLUNTEER],
            grid["community_id"],
            [g["id"] for g in grids],
            rng.random() < 0.25,
        )
        for g in grids:
            self.volunteers_of[g["id"]].append(person)

    def residents(self) -> None:
        """Residents aged 60 to 100 today, most between 65 and 85, in buildings across the grids."""
        rng = self.rng("residents")
        grid_of = {g["id"]: g for g in self.grids}
        self.elders: list[_Elder] = []
        for number in range(1, self.scale.residents + 1):
            building = rng.choice(self.buildings)
            grid = grid_of[building["grid_id"]]
            floor = rng.randint(1, self.floors[building["id"]])
            colour = rng.choices(
                (CareColour.RED, CareColour.YELLOW, CareColour.GREEN), (10, 25, 65)
            )[0]
            elder = _Elder(
                id=0,
                community_id=grid["community_id"],
                grid_id=grid["id"],
                building_id=building["id"],
                floor=floor,
                has_lift=building["has_lift"],
                birth_date=_birthday(rng, self.today, 60 + int(rng.triangular(0, 41, 12))),
                special_support=rng.random() < 0.03,
                care_colour=colour.value,
                diet_notes=rng.choice(DIET_NOTE_CHOICES) if rng.random() < 0.12 else None,
            )
            elder.id = self.person(
                self.opened + timedelta(days=rng.uniform(0, 30)),
                [Role.RESIDENT],
                name=_name(rng, rng.random() < 0.58, True),
                resident_code=f"{300000 + number}",
                pin_hash=self.pin_hash,
                community_id=elder.community_id,
                building_id=elder.building_id,
                unit=f"{rng.randint(1, 3)}单元",
                room=f"{floor}0{rng.randint(1, 4)}",
                birth_date=elder.birth_date,
                care_colour=elder.care_colour,
                special_support=elder.special_support,
                diet_notes=elder.diet_notes,
            )
            self.elders.append(elder)
        self.elder_by_id = {elder.id: elder for elder in self.elders}
        self.elders_of = defaultdict(list)
        for elder in self.elders:
            self.elders_of[elder.community_id].append(elder)

    def family(self) -> None:
        """Family members, each linked to a resident: most links approved, a few waiting."""
        rng = self.rng("family")
        self.links: list[dict] = []
        self.family_of: dict[int, list[int]] = defaultdict(list)
        kinships, weights = list(KINSHIP_WEIGHTS), list(KINSHIP_WEIGHTS.values())
        for _ in range(self.scale.family):
            elder = rng.choice(self.elders)
            kinship = rng.choices(kinships, weights)[0]
            surname = self.people[elder.id - 1]["name"][0]
            if kinship in (Kinship.DAUGHTER_IN_LAW, Kinship.SON_IN_LAW, Kinship.SPOUSE):
                surname = rng.choice(SURNAMES)
            created = self.people[elder.id - 1]["created_at"] + timedelta(days=rng.uniform(1, 60))
            family_id = self.person(
                created,
                [Role.FAMILY],
                name=surname + rng.choice(YOUNG_GIVEN if kinship != Kinship.SPOUSE else GIVEN_MALE),
                phone=self.phone("1392"),
                password_hash=self.password_hash,
            )
            self.links.append(self._link(rng, family_id, elder, kinship, created))

    def _link(self, rng, family_id: int, elder: _Elder, kinship: str, created: datetime) -> dict:
        """The family link, approved by the resident at a kiosk or by staff, or still waiting."""
        link = {
            "id": len(self.links) + 1,
            "family_id": family_id,
            "resident_id": elder.id,
            "kinship": kinship.value,
            "status": LinkStatus.PENDING.value,
            "decided_by_id": None,
            "decided_at": None,
            **self.at(created),
        }
        if rng.random() < 0.03:
            return link
        decided = created + timedelta(hours=rng.uniform(1, 72))
        by = self.admin_of[elder.community_id] if rng.random() < 0.2 else elder.id
        self.family_of[elder.id].append(family_id)
        link.update(
            status=LinkStatus.ACTIVE.value, decided_by_id=by, decided_at=decided, updated_at=decided
        )
        return link

    def acting_for(self, rng: random.Random, elder: _Elder, share: float) -> int:
        """The resident, or with the chance share one of their linked family."""
        family = self.family_of.get(elder.id)
        return rng.choice(family) if family and rng.random() < share else elder.id

    # Canteens, meal delivery, bookings ---------------------------------------------------------

    def canteens(self) -> None:
        """Canteens with lunch and dinner, delivery enrolments, menus and bookings."""
        rng = self.rng("canteens")
        self.canteen_of, rows, self.services = {}, [], []
        for index, community in enumerate(self.communities[: self.scale.canteens]):
            fixed = index % 4 == 1  # one canteen in four charges seniors a fixed price
            place = _Place(
                index + 1, community["id"], None if fixed else 20, 1000 if fixed else None
            )
            self.canteen_of[community["id"]] = place
            rows.append(self._canteen_row(rng, place, community))
        enrolments, pauses = self.enrolments()
        meal_days, dishes, bookings = self.meals(self._delivery_demand(enrolments, pauses))
        self.insert(Canteen, rows)
        self.insert(MealService, self.services)
        self.insert(DeliveryEnrolment, enrolments)
        self.insert(DeliveryPause, pauses)
        self.insert(MealDay, meal_days)
        self.insert(Dish, dishes)
        self.insert(Booking, bookings)
        self.insert(DeliveryRound, self.rounds)
        self.insert(Delivery, self.drops)

    def _canteen_row(self, rng: random.Random, place: _Place, community: dict) -> dict:
        """The canteen's row, its services added to self.services (capacity set later)."""
        stamp = self.at(self.opened + timedelta(days=rng.uniform(0, 20)))
        for kind, start, end, cutoff, _share in SERVICES:
            self.services.append(
                {
                    "id": len(self.services) + 1,
                    "canteen_id": place.id,
                    "kind": kind,
                    "serving_start": start,
                    "serving_end": end,
                    "cutoff": cutoff,
                    **stamp,
                }
            )
        return {
            "id": place.id,
            "community_id": place.community_id,
            "name": _canteen_name(community),
            "phone": community["hotline"][:-1] + "9",
            "senior_age": place.senior_age,
            "senior_discount_percent": place.senior_discount_percent,
            "senior_price_fen": place.senior_price_fen,
            "free_age": place.free_age,
            "free_needs_special_support": place.free_needs_special_support,
            **stamp,
        }

    def enrolments(self) -> tuple[list[dict], list[dict]]:
        """Delivery enrolments of residents of canteen communities: one open enrolment per
        resident at most (as the lunch and dinner keys require) and, for other residents, ones
        stopped or declined; then pauses of some active ones."""
        rng, count = self.rng("delivery"), self.scale.enrolments
        eligible = [e for e in self.elders if e.community_id in self.canteen_of]
        open_count = min(len(eligible), round(count * 0.84))
        chosen = rng.sample(eligible, open_count)
        plans = [(e, "active" if rng.random() < 0.9 else "applied") for e in chosen]
        taken = {e.id for e in chosen}
        rest = [e for e in eligible if e.id not in taken]
        closed = count - open_count
        others = (
            rng.sample(rest, closed) if len(rest) >= closed else rng.choices(eligible, k=closed)
        )
        plans += [(e, "stopped" if rng.random() < 0.75 else "declined") for e in others]
        rows = sorted(
            (self._enrolment(rng, elder, status) for elder, status in plans),
            key=lambda row: (row["created_at"], row["resident_id"]),
        )
        for number, row in enumerate(rows, 1):
            row["id"] = number
        self.enrolled = {
            (row["resident_id"], kind)
            for row in rows
            for kind in ("lunch", "dinner")
            if row[f"{kind}_key"]
        }
        active = [row for row in rows if row["status"] == "active"]
        pauses = [p for row in active if rng.random() < 0.1 for p in self._pause(rng, row)]
        for number, pause in enumerate(pauses, 1):
            pause["id"] = number
        return rows, pauses

    def _enrolment(self, rng: random.Random, elder: _Elder, status: str) -> dict:
        """An enrolment with status, applied for by the resident, their family or staff."""
        lunch, dinner = rng.choices(((True, False), (False, True), (True, True)), (60, 15, 25))[0]
        days, weights = zip(*WEEKDAY_CHOICES, strict=True)
        cook = rng.choice(self.cooks_of[elder.community_id])
        applicants = (elder.id, self.acting_for(rng, elder, 1.0), cook)
        row = {
            "resident_id": elder.id,
            "canteen_id": self.canteen_of[elder.community_id].id,
            "applied_by_id": rng.choices(applicants, (50, 30, 20))[0],
            "lunch": lunch,
            "dinner": dinner,
            "weekdays": rng.choices(days, weights)[0],
            "floor": elder.floor,
            "has_lift": elder.has_lift,
            "access_notes": rng.choice(ACCESS_NOTES) if rng.random() < 0.3 else None,
            "diet_tags": _diet_tags(rng),
            "diet_notes": elder.diet_notes,
            "contact_phone": self._contact(elder),
            "status": status,
            "decided_by_id": None,
            "decided_at": None,
            "decline_reason": None,
            "decline_note": None,
            "stopped_by_id": None,
            "stopped_at": None,
            "lunch_key": None,
            "dinner_key": None,
        }
        return {**row, **self._enrolment_history(rng, elder, row, cook)}

    def _contact(self, elder: _Elder) -> str:
        """The phone number for delivery questions: a linked family member's, else the home's."""
        family = self.family_of.get(elder.id)
        return self.people[family[0] - 1]["phone"] if family else f"1393{elder.id:07d}"

    def _enrolment_history(self, rng: random.Random, elder: _Elder, row: dict, cook: int) -> dict:
        """When it was applied for and decided, and how it ended if it did."""
        now, days = self.now, self.scale.help_days
        if row["status"] == "applied":
            created = now - timedelta(hours=rng.uniform(1, 240))
            start = self.today + timedelta(days=rng.randint(1, 14))
            return {"start_day": start, **self._keys(elder, row), **self.at(created)}
        oldest = 40 if row["status"] == "stopped" else 1
        created = now - timedelta(days=rng.uniform(oldest, days))
        decided = created + timedelta(hours=rng.uniform(2, 72))
        history = {
            "decided_by_id": cook,
            "decided_at": decided,
            "start_day": _local_day(decided) + timedelta(days=rng.randint(1, 3)),
            **self.at(created, decided),
        }
        if row["status"] == "declined":
            reason = rng.choice(DECLINE_REASONS)
            history.update(
                decline_reason=reason,
                decline_note="请家属来社区面谈" if reason == "other" else None,
            )
        elif row["status"] == "stopped":
            stopped = decided + (now - timedelta(days=8) - decided) * rng.random()
            history.update(
                stopped_by_id=rng.choice((elder.id, cook)), stopped_at=stopped, updated_at=stopped
            )
        else:
            history.update(self._keys(elder, row))
        return history

    def _keys(self, elder: _Elder, row: dict) -> dict:
        """The open enrolment's claim on each of its meals."""
        key = DeliveryEnrolment.key_for(elder.id)
        return {
            "lunch_key": key if row["lunch"] else None,
            "dinner_key": key if row["dinner"] else None,
        }

    def _pause(self, rng: random.Random, enrolment: dict) -> list[dict]:
        """A hospital stay or a visit to family: a pause already over, under way, or coming."""
        kind = rng.choice(("over", "under_way", "coming"))
        if kind == "over":
            last = self.today - timedelta(days=rng.randint(1, 60))
            first = last - timedelta(days=rng.randint(2, 20))
        elif kind == "under_way":
            first = self.today - timedelta(days=rng.randint(0, 7))
            last = self.today + timedelta(days=rng.randint(1, 14))
        else:
            first = self.today + timedelta(days=rng.randint(1, 10))
            last = first + timedelta(days=rng.randint(2, 14))
        created = min(self.now, _utc(first, time(10)) - timedelta(days=rng.randint(1, 5)))
        if first < enrolment["start_day"] or created < enrolment["decided_at"]:
            return []
        return [
            {
                "enrolment_id": enrolment["id"],
                "first_day": first,
                "last_day": last,
                "created_by_id": enrolment["applied_by_id"],
                **self.at(created),
            }
        ]

    def _delivery_demand(self, enrolments: list[dict], pauses: list[dict]) -> dict:
        """The active enrolments that bring each coming meal, as the daily job would have booked
        them: {(canteen id, kind, day): [enrolment]}."""
        paused = defaultdict(list)
        for pause in pauses:
            paused[pause["enrolment_id"]].append((pause["first_day"], pause["last_day"]))
        wanted: dict[tuple[int, str, date], list[dict]] = defaultdict(list)
        for row in enrolments:
            if row["status"] != EnrolmentStatus.ACTIVE:
                continue
            weekdays = {int(d) for d in row["weekdays"].split(",")}
            for offset in range(self.scale.meal_days_ahead):
                day = self.today + timedelta(days=offset)
                if day < row["start_day"] or day.weekday() not in weekdays:
                    continue
                if any(first <= day <= last for first, last in paused[row["id"]]):
                    continue
                for kind in ("lunch", "dinner"):
                    if row[kind]:
                        wanted[(row["canteen_id"], kind, day)].append(row)
        return wanted

    def meals(self, wanted: dict) -> tuple[list[dict], list[dict], list[dict]]:
        """Published menus of every meal from meal_days_past ago to meal_days_ahead, the
        coming meals' deliveries, and the other bookings spread over all of them; each
        service's capacity has a margin above its busiest meal."""
        rng, sc = self.rng("meals"), self.scale
        self._diners(rng)
        days = [
            self.today + timedelta(days=o) for o in range(-sc.meal_days_past, sc.meal_days_ahead)
        ]
        slots = [
            (p, s, d) for p in self.canteen_of.values() for d in days for s in range(len(SERVICES))
        ]
        sizes = {c: len(e) for c, e in self.elders_of.items()}
        weights = [
            _appetite(SERVICES[s][4], d, self.today) * sizes[p.community_id] for p, s, d in slots
        ]
        delivered = sum(len(rows) for rows in wanted.values())
        meal_days, dishes, bookings = [], [], []
        self.rounds, self.drops, self.round_of = [], [], {}
        needed: dict[int, int] = defaultdict(int)
        counts = _shares(sc.bookings - delivered, weights)
        for (place, service, day), count in zip(slots, counts, strict=True):
            service_id = (place.id - 1) * len(SERVICES) + service + 1
            meal_day = self._meal_day(len(meal_days) + 1, service_id, SERVICES[service], day)
            menu = self._menu(rng, len(dishes), count)
            args = (place, SERVICES[service], meal_day, menu)
            bookings += self._bookings(rng, *args, count, len(bookings))
            drops = wanted.get((place.id, SERVICES[service][0], day), [])
            bookings += self._deliveries(*args, drops, len(bookings))
            meal_day["booked"] = sum(dish.booked for dish in menu)
            needed[service_id] = max(needed[service_id], meal_day["booked"])
            dishes += [self._dish_row(meal_day, dish) for dish in menu]
            meal_days.append(meal_day)
        self._capacities(needed, meal_days)
        return meal_days, dishes, bookings

    def _deliveries(self, place, service, meal_day, menu, enrolments, before) -> list[dict]:
        """The delivery bookings of one coming meal, with their drops and the rounds of their
        grids, as the daily job makes them: the first dish that suits the diet and has a portion."""
        rows = []
        opened = _utc(meal_day["day"] - timedelta(days=DELIVERY_DAYS - 1), time(0, 5))
        for enrolment in enrolments:
            elder = self.elder_by_id[enrolment["resident_id"]]
            dish = _suited(menu, enrolment["diet_tags"])
            dish.booked += 1
            booked = min(self.now, max(opened, enrolment["decided_at"]))
            rows.append(
                {
                    "id": before + len(rows) + 1,
                    "meal_day_id": meal_day["id"],
                    "dish_id": dish.id,
                    "resident_id": elder.id,
                    "booked_by_id": elder.id,
                    "mode": BookingMode.DELIVERY.value,
                    "price_fen": CanteenModel.price_for(place, elder, dish, meal_day["day"]),
                    "status": BookingStatus.BOOKED.value,
                    "active_key": Booking.key_for(elder.id, meal_day["id"]),
                    "cancelled_at": None,
                    **self.at(booked),
                }
            )
            self._drop(enrolment, elder, meal_day, rows[-1])
        return rows

    def _drop(self, enrolment: dict, elder: _Elder, meal_day: dict, booking: dict) -> None:
        """The delivery of booking, in the round of the resident's grid for that meal."""
        key = (meal_day["id"], elder.grid_id)
        if key not in self.round_of:
            self.round_of[key] = len(self.rounds) + 1
            self.rounds.append(
                {
                    "id": self.round_of[key],
                    "meal_day_id": meal_day["id"],
                    "grid_id": elder.grid_id,
                    "runner_id": None,
                    **self.at(booking["created_at"]),
                }
            )
        self.drops.append(
            {
                "id": len(self.drops) + 1,
                "enrolment_id": enrolment["id"],
                "meal_day_id": meal_day["id"],
                "round_id": self.round_of[key],
                "booking_id": booking["id"],
                "withdrawn": False,
                "outcome": None,
                "note": None,
                "marked_by_id": None,
                "marked_at": None,
                "help_request_id": None,
                **self.at(booking["created_at"]),
            }
        )

    def _diners(self, rng: random.Random) -> None:
        """Who books each canteen's lunch or dinner: about half of its community's residents,
        leaving out those who have that meal delivered."""
        self.diners = {}
        for community_id, place in self.canteen_of.items():
            for kind, *_ in SERVICES:
                self.diners[(place.id, kind)] = [
                    elder
                    for elder in self.elders_of[community_id]
                    if rng.random() < 0.55 and (elder.id, kind) not in self.enrolled
                ]

    def _meal_day(self, meal_day_id: int, service_id: int, service: tuple, day: date) -> dict:
        """A meal's row, published a week ahead; capacity and booked are filled in later."""
        published = min(self.now, _utc(day - timedelta(days=7), time(10)))
        served = max(published, min(self.now, _utc(day, service[2])))
        return {
            "id": meal_day_id,
            "service_id": service_id,
            "day": day,
            "published": True,
            **self.at(published, served),
        }

    def _menu(self, rng: random.Random, before: int, count: int) -> list[_Dish]:
        """Three or four dishes; one with a limit of its own keeps it above what is booked."""
        menu = []
        for number, template in enumerate(rng.sample(range(len(DISHES)), rng.choice((3, 4))), 1):
            price, portions = DISHES[template][3], DISHES[template][5]
            limit = max(portions, ceil(count * 0.3)) if portions else None
            menu.append(_Dish(before + number, template, price, limit, rng.uniform(0.5, 1.5)))
        return menu

    def _dish_row(self, meal_day: dict, dish: _Dish) -> dict:
        """The row of dish, as the demo's DISHES describe it, with its portions booked."""
        zh_hans, zh_hant, en, price, tags, _portions, category = DISHES[dish.template]
        return {
            "id": dish.id,
            "meal_day_id": meal_day["id"],
            "name_zh_hans": zh_hans,
            "name_zh_hant": zh_hant,
            "name_en": en,
            "price_fen": price,
            "tags": tags,
            "allergens": None,
            "portions": dish.portions,
            "booked": dish.booked,
            "category": category,
            "photo_id": None,
            "withdrawn_at": None,
            **self.at(meal_day["created_at"], meal_day["updated_at"]),
        }

    def _bookings(
        self, rng, place: _Place, service: tuple, meal_day: dict, menu, count: int, before: int
    ) -> list[dict]:
        """count bookings of one meal by different residents: before today served, some not
        collected and some cancelled; from today on booked, a few cancelled."""
        kind, _start, end, cutoff, _share = service
        day, closes = meal_day["day"], _utc(meal_day["day"], cutoff)
        pool = self.diners[(place.id, kind)]
        if len(pool) < count:
            everyone = self.elders_of[place.community_id]
            pool = [e for e in everyone if (e.id, kind) not in self.enrolled]
        rows = []
        for elder in rng.sample(pool, min(count, len(pool))):
            status = _booking_status(rng, day < self.today)
            dish = _pick(rng, menu, status != BookingStatus.CANCELLED)
            created = min(
                closes - timedelta(hours=rng.uniform(1, 120)),
                self.now - timedelta(minutes=rng.uniform(1, 600)),
            )
            row = {
                "id": before + len(rows) + 1,
                "meal_day_id": meal_day["id"],
                "dish_id": dish.id,
                "resident_id": elder.id,
                "booked_by_id": self.acting_for(rng, elder, 0.12),
                "mode": (BookingMode.PICK_UP if rng.random() < 0.25 else BookingMode.DINE_IN).value,
                "price_fen": CanteenModel.price_for(place, elder, dish, day),
                "status": status.value,
                "active_key": Booking.key_for(elder.id, meal_day["id"]),
                "cancelled_at": None,
                **self.at(created),
            }
            if status == BookingStatus.CANCELLED:
                cancelled = created + (min(closes, self.now) - created) * rng.random()
                row.update(active_key=None, cancelled_at=cancelled, updated_at=cancelled)
            elif status != BookingStatus.BOOKED:
                row["updated_at"] = _utc(day, end) + timedelta(minutes=rng.uniform(0, 60))
            rows.append(row)
        return rows

    def _capacities(self, needed: dict[int, int], meal_days: list[dict]) -> None:
        """Each service's capacity, a margin above its busiest meal, given to every meal."""
        for row in self.services:
            row["capacity"] = max(40, ceil(needed[row["id"]] * 1.15 / 10) * 10)
        capacity = {row["id"]: row["capacity"] for row in self.services}
        for meal_day in meal_days:
            meal_day["capacity"] = capacity[meal_day["service_id"]]

    # Activities --------------------------------------------------------------------------------

    def activities(self) -> None:
        """Venues, weekly activities and one-off events in each community, past and coming,
        with their sign-ups, waitlists and check-ins."""
        rng, sc = self.rng("activities"), self.scale
        self.venues, self.series, self.events, self.signups = [], [], [], []
        monday = self.today - timedelta(days=self.today.weekday())
        first = monday - timedelta(weeks=sc.event_weeks_past)
        weeks = sc.event_weeks_past + sc.event_weeks_ahead
        quotas = _shares(sc.events, [1] * len(self.communities))
        for community, quota in zip(self.communities, quotas, strict=True):
            self._calendar(rng, community["id"], quota, first, weeks)
        for event in self.events:
            self._signups(rng, event)
        self.insert(Venue, self.venues)
        self.insert(Series, self.series)
        self.insert(Event, self.events)
        self.insert(SignUp, self.signups)

    def _calendar(
        self, rng: random.Random, community_id: int, quota: int, first: date, weeks: int
    ) -> None:
        """quota events of one community: weekly series, the month's birthday parties, and
        one-offs in the free slots of its venues, no two at once in one venue."""
        venues = []
        for name, capacity, step_free, loop in VENUES:
            venues.append(len(self.venues) + 1)
            self.venues.append(
                {
                    "id": venues[-1],
                    "community_id": community_id,
                    "name": name,
                    "capacity": capacity,
                    "step_free": step_free,
                    "hearing_loop": loop,
                    **self.at(self.opened),
                }
            )
        taken: set[tuple[int, date, str]] = set()
        parties = _last_fridays(first, weeks)[:quota]
        series = min(len(SERIES), (quota - len(parties)) // (2 * weeks))
        for template in SERIES[:series]:
            self._weekly(community_id, venues, template, first, weeks, taken)
        for day in parties:
            self._party(community_id, venues[BIRTHDAY_VENUE], day, taken)
        for _ in range(quota - len(parties) - series * weeks):
            self._one_off(rng, community_id, venues, first, weeks, taken)

    def _event(
        self,
        community_id: int,
        venue_id: int,
        titles: tuple,
        category: str,
        day: date,
        slot: str,
        capacity,
        signup: bool,
        created: datetime,
        **fields,
    ) -> dict:
        """Add an event in slot of day, announced at created (or now, if that is earlier)."""
        starts, ends = SLOTS[slot]
        event = {
            "id": len(self.events) + 1,
            "community_id": community_id,
            "venue_id": venue_id,
            "organiser_id": self.organiser_of[community_id],
            "series_id": None,
            "series_day": None,
            "detached": False,
            "category": category,
            "starts_at": _utc(day, starts),
            "ends_at": _utc(day, ends),
            "capacity": capacity,
            "signup_required": signup,
            "access_notes": None,
            "going": 0,
            "cancelled_at": None,
            "cancel_reason": None,
            **_titles(*titles),
            **self.at(min(created, self.now)),
            **fields,
        }
        self.events.append(event)
        return event

    def _weekly(self, community_id, venues, template, first: date, weeks: int, taken: set) -> None:
        """A weekly series over the whole calendar, ending on its last week so that the daily
        job has no weeks to add."""
        *titles, category, weekday, slot, venue, capacity, signup = template
        days = [first + timedelta(weeks=w, days=weekday) for w in range(weeks)]
        created = _utc(first - timedelta(days=7), time(10))
        starts, ends = SLOTS[slot]
        series_id = len(self.series) + 1
        self.series.append(
            {
                "id": series_id,
                "community_id": community_id,
                "venue_id": venues[venue],
                "organiser_id": self.organiser_of[community_id],
                "category": category,
                "weekday": weekday,
                "starts": starts,
                "ends": ends,
                "first_day": first,
                "last_day": days[-1],
                "capacity": capacity,
                "signup_required": signup,
                "access_notes": None,
                **_titles(*titles),
                **self.at(created),
            }
        )
        for day in days:
            taken.add((venues[venue], day, slot))
            self._event(
                community_id,
                venues[venue],
                titles,
                category,
                day,
                slot,
                capacity,
                signup,
                created,
                series_id=series_id,
                series_day=day,
            )

    def _party(self, community_id: int, venue_id: int, day: date, taken: set) -> None:
        """The month's collective birthday party, on its last Friday afternoon."""
        taken.add((venue_id, day, "afternoon"))
        titles = (
            f"{day.month}月集体生日会",
            f"{day.month}月集體生日會",
            f"Birthday party for everyone born in {day:%B}",
        )
        created = _utc(day - timedelta(days=20), time(10))
        self._event(
            community_id, venue_id, titles, "birthday", day, "afternoon", 200, True, created
        )

    def _one_off(
        self, rng: random.Random, community_id: int, venues, first: date, weeks: int, taken: set
    ) -> None:
        """A one-off event on a free morning or afternoon of its venue."""
        *titles, category, venue, capacity, signup = rng.choice(ONE_OFFS)
        while True:
            day = first + timedelta(days=rng.randrange(weeks * 7))
            slot = rng.choice(("morning", "afternoon"))
            if (venues[venue], day, slot) not in taken:
                break
        taken.add((venues[venue], day, slot))
        created = _utc(day, SLOTS[slot][0]) - timedelta(days=rng.uniform(7, 30))
        self._event(
            community_id, venues[venue], titles, category, day, slot, capacity, signup, created
        )

    def _signups(self, rng: random.Random, event: dict) -> None:
        """Who took a place, who waits, who left, and who came: going matches the places taken."""
        past = event["starts_at"] <= self.now
        elders = self.elders_of[event["community_id"]]
        if event["category"] == "birthday":
            month = _local_day(event["starts_at"]).month
            invited = [e for e in elders if e.birth_date.month == month]
            going = invited[: event["capacity"]]
            plan = [(e, SignUpStatus.GOING) for e in going] + [
                (e, SignUpStatus.WAITING) for e in invited[len(going) :]
            ]
            self._places(rng, event, plan, invited=True)
            return
        going, waiting = _demand(
            rng, event, past, (_local_day(event["starts_at"]) - self.today).days
        )
        left = round((going + waiting) * 0.08) if event["signup_required"] else 0
        chosen = rng.sample(elders, min(len(elders), going + waiting + left))
        statuses = (
            [SignUpStatus.GOING] * going
            + [SignUpStatus.LEFT] * left
            + [SignUpStatus.WAITING] * waiting
        )
        self._places(rng, event, list(zip(chosen, statuses, strict=False)))

    def _places(self, rng: random.Random, event: dict, plan: list, invited: bool = False) -> None:
        """Sign-up rows for plan [(resident, status)], joined in that order."""
        for (elder, status), joined in zip(
            plan, self._joined(rng, event, len(plan), invited), strict=True
        ):
            arrival = not event["signup_required"]
            by = elder.id if arrival else event["organiser_id"] if invited else None
            row = {
                "id": len(self.signups) + 1,
                "event_id": event["id"],
                "resident_id": elder.id,
                "signed_up_by_id": by or self._signer(rng, elder, event["organiser_id"]),
                "status": status.value,
                "active_key": SignUp.key_for(elder.id, event["id"]),
                "invited": invited,
                "promoted_at": None,
                "reminded_at": None,
                "checked_in_at": None,
                "checked_in_by_id": None,
                **self.at(joined),
            }
            if status == SignUpStatus.LEFT:
                latest = min(event["starts_at"], self.now)
                row.update(active_key=None, updated_at=joined + (latest - joined) * rng.random())
            elif status == SignUpStatus.GOING:
                event["going"] += 1
                self._attended(rng, event, row, arrival)
            self.signups.append(row)

    def _joined(self, rng: random.Random, event: dict, count: int, invited: bool) -> list[datetime]:
        """When each of count people took their place, in order: invitations as the party was
        announced, arrivals as the activity began, sign-ups at any time before it."""
        starts, announced = event["starts_at"], event["created_at"]
        if invited:
            return [announced] * count
        if not event["signup_required"]:
            return sorted(starts - timedelta(minutes=rng.uniform(0, 10)) for _ in range(count))
        latest = min(starts, self.now)
        return sorted(announced + (latest - announced) * rng.random() for _ in range(count))

    def _attended(self, rng: random.Random, event: dict, row: dict, arrival: bool) -> None:
        """A place's reminder the day before, and its check-in once the activity has begun:
        arrivals check themselves in as they come; most others come too."""
        starts = event["starts_at"]
        remind = _utc(_local_day(starts) - timedelta(days=1), time(9))
        if not arrival and row["created_at"] < remind <= self.now:
            row["reminded_at"] = remind
        if starts > self.now or not (arrival or rng.random() < 0.85):
            return
        came = row["created_at"] if arrival else starts - timedelta(minutes=rng.uniform(0, 10))
        by_organiser = not arrival and rng.random() < 0.5
        row.update(
            checked_in_at=came,
            checked_in_by_id=event["organiser_id"] if by_organiser else row["resident_id"],
            updated_at=came,
        )

    def _signer(self, rng: random.Random, elder: _Elder, organiser: int) -> int:
        """Who signed the resident up: they themselves, their family, or the organiser."""
        return organiser if rng.random() < 0.1 else self.acting_for(rng, elder, 0.12)

    # Help requests -----------------------------------------------------------------------------

    def help(self) -> None:
        """Help requests of the last help_days, each with the history it had: most closed, the
        latest still open, escalated where their timers ran out."""
        rng, count = self.rng("help"), self.scale.help_requests
        ages = sorted((_request_age(rng, self.scale.help_days) for _ in range(count)), reverse=True)
        weights = [CARE_WEIGHTS[e.care_colour] * rng.uniform(0.2, 1.8) for e in self.elders]
        askers = rng.choices(self.elders, weights, k=count)
        categories = rng.choices(
            list(HELP_CATEGORY_WEIGHTS), list(HELP_CATEGORY_WEIGHTS.values()), k=count
        )
        self.requests, self.help_events, self.dedupe_keys = [], [], set()
        for age, elder, category in zip(ages, askers, categories, strict=True):
            self._request(rng, age, elder, category)
        self.insert(HelpRequest, self.requests)
        self.insert(HelpEvent, self.help_events)

    def _request(self, rng: random.Random, age: float, elder: _Elder, category: str) -> None:
        """One request raised age seconds ago, as its history up to now leaves it."""
        urgent = category in URGENT_CATEGORIES
        raised_by = self.acting_for(rng, elder, 0.15)
        note = rng.choice(HELP_NOTES[category]) if rng.random() < 0.4 else None
        steps = self._steps(rng, elder, category, urgent, raised_by, note)
        created = self.now - timedelta(seconds=age)
        request = {
            "id": len(self.requests) + 1,
            "resident_id": elder.id,
            "raised_by_id": raised_by,
            "category": category,
            "urgent": urgent,
            "status": Status.NEW.value,
            "level": Level.GRID.value,
            "grid_id": elder.grid_id,
            "community_id": elder.community_id,
            "holder_id": None,
            "partner_id": None,
            "handed_at": None,
            "accepted_at": None,
            "note": note,
            "dedupe_key": self._dedupe_key(elder, category, age),
            "acknowledged_at": None,
            "resolved_at": None,
            "closed_at": None,
            "feedback": None,
            "reopened": 0,
            **self.at(created),
        }
        for step in self._timed(rng, steps, urgent, age):
            self._apply(request, step, created + timedelta(seconds=step.offset))
        self.requests.append(request)

    def _dedupe_key(self, elder: _Elder, category: str, age: float) -> str | None:
        """The double-tap key, held only within the dedupe window, as the help services hold it."""
        key = HelpRequest.key_for(elder.id, category)
        if age >= self.timers.dedupe.total_seconds() or key in self.dedupe_keys:
            return None
        self.dedupe_keys.add(key)
        return key

    def _steps(
        self, rng, elder: _Elder, category: str, urgent: bool, raised_by: int, note
    ) -> list["_Step"]:
        """Everything that would happen to the request, in seconds after it was raised."""
        holder = self._holder(rng, elder, category)
        ack, work = _durations(rng, category, urgent)
        steps = [_Step(0, "created", raised_by, note), _Step(ack, "taken", holder)]
        if rng.random() < 0.5:
            steps.append(_Step(ack + work * 0.1, "started", holder))
        partner = self._partner(rng, elder, category)
        if partner is not None:
            work += rng.lognormvariate(log(6 * 3600), 0.8)  # the partner takes its time
            handed = _Step(ack + work * 0.15, "handed_off", holder, HAND_OFFS[partner[1]])
            steps.append(handed._replace(partner=partner[0]))
        if rng.random() < 0.35:
            words, visible = rng.choice(WORKER_NOTES)
            steps.append(_Step(ack + work * 0.5, "note", holder, words, visible))
        if rng.random() < 0.1:
            words = rng.choice(RESIDENT_NOTES)
            steps.append(_Step(rng.uniform(0, ack + work * 0.9), "resident_note", raised_by, words))
        if rng.random() < 0.01:
            reason = rng.choice(ESCALATION_REASONS)
            steps.append(_Step(ack + work * 0.4, "escalated", holder, reason, False))
        done = ack + work
        steps.append(_Step(done, "resolved", holder, rng.choice(HELP_DONE[category])))
        return steps + self._feedback(rng, elder, holder, category, done)

    def _holder(self, rng: random.Random, elder: _Elder, category: str) -> int:
        """A grid worker of the resident's grid; errands and company now and then a volunteer."""
        volunteers = self.volunteers_of.get(elder.grid_id)
        if category in VOLUNTEER_CATEGORIES and volunteers and rng.random() < 0.4:
            return rng.choice(volunteers)
        return rng.choice(self.workers_of.get(elder.grid_id) or [self.admin_of[elder.community_id]])

    def _partner(self, rng: random.Random, elder: _Elder, category: str) -> tuple[int, int] | None:
        """(partner id, which partner) when the job goes to the property or water company or
        the clinic of the resident's community."""
        if category == "repair" and rng.random() < 0.35:
            which = 1 if rng.random() < 0.3 else 0
        elif category == "unwell" and rng.random() < 0.2:
            which = 2
        else:
            return None
        return (elder.community_id - 1) * len(PARTNERS) + which + 1, which

    def _feedback(
        self, rng, elder: _Elder, holder: int, category: str, done: float
    ) -> list["_Step"]:
        """What the resident says once it is done: fixed, not fixed (done again), or nothing."""
        by = self.acting_for(rng, elder, 0.3)
        if rng.random() >= 0.07:
            return self._closing(rng, by, done)
        back = done + min(rng.lognormvariate(log(12 * 3600), 0.6), self._auto_close - 3600)
        median, spread = HELP_WORK[category]
        again = back + rng.lognormvariate(log(median * 3600), spread)
        return [
            _Step(back, "reopened", by),
            _Step(again, "resolved", holder, rng.choice(HELP_DONE[category])),
            *self._closing(rng, by, again),
        ]

    @property
    def _auto_close(self) -> float:
        """Seconds after which a resolved request closes itself unconfirmed."""
        return self.timers.auto_close.total_seconds()

    def _closing(self, rng: random.Random, by: int, done: float) -> list["_Step"]:
        """The resident's "fixed", or the portal closing it three days after done."""
        if rng.random() < 0.72:
            wait = min(rng.lognormvariate(log(5 * 3600), 0.9), self._auto_close - 3600)
            return [_Step(done + wait, "confirmed", by)]
        return [
            _Step(done + self._auto_close + rng.uniform(0, 60), "auto_closed", None, visible=False)
        ]

    def _timed(
        self, rng: random.Random, steps: list["_Step"], urgent: bool, age: float
    ) -> list["_Step"]:
        """The steps that happened by now, in order, with the escalations that the timers
        (as escalate_overdue() applies them, once a minute) made along the way."""
        timers = self.timers
        ack_limit = (timers.ack_urgent if urgent else timers.ack_normal).total_seconds()
        fix_limit = (timers.resolve_urgent if urgent else timers.resolve_normal).total_seconds()
        happened = sorted((s for s in steps if s.offset <= age), key=lambda s: s.offset)
        timed, status, level, previous = [], Status.NEW, Level.GRID, 0.0
        for step in [*happened, _Step(age, "now", None)]:
            if level < Level.COMMUNITY and status == Status.NEW and ack_limit < step.offset:
                timed.append(_escalation(rng, ack_limit, step.offset, Level.COMMUNITY))
                level = Level.COMMUNITY
            if level < Level.STREET and status in OPEN and fix_limit < step.offset:
                timed.append(_escalation(rng, max(fix_limit, previous), step.offset, Level.STREET))
                level = Level.STREET
            if step.kind == "now" or (step.kind == "escalated" and level >= Level.STREET):
                continue
            if step.kind == "escalated":
                level += 1
                step = step._replace(level=level)
            status = STATUS_AFTER.get(step.kind, status)
            timed.append(step)
            previous = step.offset
        return timed

    def _apply(self, request: dict, step: "_Step", at: datetime) -> None:
        """Change request as step did, and record the step in its history."""
        kind = step.kind
        if kind == "taken":
            request["holder_id"] = step.actor
            request["acknowledged_at"] = request["acknowledged_at"] or at
        elif kind == "handed_off":
            # Partners of the street accept what they are handed at once.
            request.update(partner_id=step.partner, handed_at=at, accepted_at=at)
        elif kind == "resident_note":
            request["note"] = f"{request['note']}\n{step.text}" if request["note"] else step.text
            kind = "note"
        elif kind == "resolved":
            request["resolved_at"] = at
        elif kind == "reopened":
            request.update(
                resolved_at=None,
                feedback=Feedback.NOT_FIXED.value,
                reopened=request["reopened"] + 1,
                partner_id=None,
                handed_at=None,
                accepted_at=None,
            )
        elif kind in ("confirmed", "auto_closed"):
            answer = Feedback.FIXED if kind == "confirmed" else Feedback.NO_ANSWER
            request.update(closed_at=at, feedback=answer.value)
        elif kind == "escalated":
            request["level"] = step.level
        request["status"] = STATUS_AFTER.get(step.kind, Status(request["status"])).value
        request["updated_at"] = at
        self.help_events.append(
            {
                "id": len(self.help_events) + 1,
                "request_id": request["id"],
                "actor_id": step.actor,
                "kind": kind,
                "text": step.text,
                "visible": step.visible,
                "partner_id": step.partner,
                "at": at,
            }
        )

    # Care visits -------------------------------------------------------------------------------

    # Paperwork ---------------------------------------------------------------------------------

    def paperwork(self) -> None:
        """Each community's usual kinds of paperwork, and the yearly pension authentication of
        every fourth resident, due on a day spread over the coming year; those due within a
        month have had their month's reminder."""
        for community in self.communities:
            paperwork.start_kinds(community["id"], self.now)
        db.session.commit()
        pensions = {
            c["id"]: paperwork.kind_by_code(c["id"], "pension").id for c in self.communities
        }
        dues = []
        for index, elder in enumerate(self.elders[::4]):
            due = self.today + timedelta(days=(index * 37) % 365 - 7)
            dues.append(
                {
                    "id": len(dues) + 1,
                    "resident_id": elder.id,
                    "kind_id": pensions[elder.community_id],
                    "due_on": due,
                    "last_done_on": due - timedelta(days=365),
                    "month_reminder_for": due if due <= self.today + timedelta(days=30) else None,
                    "week_reminder_for": due if due <= self.today + timedelta(days=7) else None,
                    "by_id": self.workers_of[elder.grid_id][0],
                    **self.at(_noon(due - timedelta(days=365))),
                }
            )
        self.insert(PaperworkDue, dues)

    # Notifications -----------------------------------------------------------------------------

    def notifications(self) -> None:
        """What the help requests told people, as the outbox left it: the grid's workers of each
        new request (on Web Push as well), the resident and their family as it was taken and as
        it was resolved (by text message as well, for a third of families). All sent within
        seconds; read within hours, but for the last day's and some others."""
        rng = self.rng("notifications")
        people = {person["id"]: person for person in self.people}
        buildings = {building["id"]: building["name"] for building in self.buildings}
        texted = {f for family in self.family_of.values() for f in family if rng.random() < 0.3}
        self.sent, self.dispatches = [], []
        for request in self.requests:
            resident = people[request["resident_id"]]
            staff_words = {
                "request_id": request["id"],
                "reference": HelpRequest.reference_of(request["id"]),
                "category": request["category"],
                "resident": resident["name"],
                "building": buildings.get(resident["building_id"], ""),
                "room": resident["room"] or "",
            }
            kind = "help.urgent" if request["urgent"] else "help.new"
            for worker in self.workers_of[request["grid_id"]]:
                self._sent(rng, worker, kind, staff_words, request, request["created_at"], "push")
            for at, status in (
                (request["acknowledged_at"], Status.ACKNOWLEDGED),
                (request["resolved_at"], Status.RESOLVED),
            ):
                if at is None:
                    continue
                words = {
                    "resident_id": resident["id"],
                    "reference": HelpRequest.reference_of(request["id"]),
                    "category": request["category"],
                    "status": status.value,
                    "resident": resident["name"],
                }
                self._sent(rng, resident["id"], "help.status", words, request, at, None)
                for family in self.family_of[resident["id"]]:
                    channel = "sms" if family in texted else None
                    self._sent(rng, family, "help.status", words, request, at, channel)
        self.insert(Notification, self.sent)
        self.insert(Dispatch, self.dispatches)

    def _sent(self, rng, reader: int, kind: str, words: dict, request: dict, at, channel) -> None:
        sent = at + timedelta(seconds=rng.uniform(1, 20))
        read = at + timedelta(hours=rng.uniform(0.1, 8)) if rng.random() < 0.8 else None
        notification_id = len(self.sent) + 1
        self.sent.append(
            {
                "id": notification_id,
                "recipient_id": reader,
                "kind": kind,
                "params": words,
                "link": None,
                "urgent": request["urgent"],
                "batch": None,
                "read_at": read if read and read < self.now - timedelta(days=1) else None,
                "sent_at": sent,
                "claim": None,
                "claimed_until": None,
                "attempts": 1,
                "next_attempt_at": None,
                "failed_at": None,
                "last_error": None,
                **self.at(at, sent),
            }
        )
        for each in ("log", channel) if channel else ("log",):
            self.dispatches.append(
                {
                    "id": len(self.dispatches) + 1,
                    "notification_id": notification_id,
                    "channel": each,
                    "sent_at": sent,
                    "attempts": 1,
                    "last_error": None,
                }
            )

    def care(self) -> None:
        """Each resident's colour as their grid worker set it, and care_days of visits at the
        colour's pace, a few late; daily check-ins for some, pauses for a few, and family who
        see the visits for some."""
        rng = self.rng("care")
        start = self.now - timedelta(days=self.scale.care_days)
        changes, visits, pauses, sharing, plans, check_ins = [], [], [], [], [], []
        for elder in self.elders:
            worker = self.workers_of[elder.grid_id][0]
            changes.append(
                {
                    "id": len(changes) + 1,
                    "resident_id": elder.id,
                    "colour": elder.care_colour,
                    "reason": rng.choice(COLOUR_REASONS[elder.care_colour]),
                    "by_id": worker,
                    "at": self.opened + timedelta(days=31),
                }
            )
            self._visits(rng, elder, worker, start, visits)
            if rng.random() < 0.01:
                first = self.today - timedelta(days=rng.randint(-5, 20))
                pauses.append(
                    {
                        "id": len(pauses) + 1,
                        "resident_id": elder.id,
                        "starts_on": first,
                        "resumes_on": first + timedelta(days=rng.randint(3, 21)),
                        "reason": rng.choice(("住院", "去子女家小住")),
                        "by_id": worker,
                        **self.at(_noon(first)),
                    }
                )
            if rng.random() < 0.1:
                sharing.append(
                    {
                        "resident_id": elder.id,
                        "family_sees_visits": True,
                        "by_id": elder.id,
                        "at": self.opened + timedelta(days=40),
                    }
                )
            if elder.care_colour != CareColour.GREEN and rng.random() < 0.15:
                plans.append(
                    {
                        "resident_id": elder.id,
                        "deadline": time(10),
                        "by_id": elder.id,
                        **self.at(start),
                    }
                )
                self._check_ins(rng, elder, check_ins)
        self.insert(ColourChange, changes)
        self.insert(CareVisit, visits)
        self.insert(AuditEntry, [self._read_before(visit) for visit in visits])
        self.insert(CarePause, pauses)
        self.insert(CareSharing, sharing)
        self.insert(CheckInPlan, plans)
        self.insert(CheckIn, check_ins)

    def _read_before(self, visit: dict) -> dict:
        """The audit entry of the worker reading the resident's care record before a visit."""
        return {
            "id": visit["id"],
            "at": visit["at"] - timedelta(minutes=10),
            "actor_id": visit["by_id"],
            "subject_id": visit["resident_id"],
            "community_id": self.people[visit["resident_id"] - 1]["community_id"],
            "action": "care.read",
            "detail": {},
        }

    def _visits(self, rng, elder: _Elder, worker: int, start: datetime, visits: list) -> None:
        """Visits to elder from start until now, every cadence days and now and then late."""
        every = CARE_CADENCE[elder.care_colour]
        day = (start + timedelta(days=rng.uniform(0, every))).date()
        while True:
            at = datetime.combine(day, time(rng.randint(1, 9), rng.randint(0, 59)))
            if at >= self.now:
                return
            outcome = rng.choices(list(VISIT_OUTCOMES), list(VISIT_OUTCOMES.values()))[0]
            visits.append(
                {
                    "id": len(visits) + 1,
                    "resident_id": elder.id,
                    "by_id": worker,
                    "at": at,
                    "outcome": outcome,
                    "note": rng.choice(VISIT_NOTES) if rng.random() < 0.3 else None,
                    "colour": elder.care_colour,
                }
            )
            late = 0 if rng.random() < 0.85 else rng.randint(1, max(1, every // 3))
            day += timedelta(days=every + late)

    def _check_ins(self, rng, elder: _Elder, check_ins: list) -> None:
        """The last month's daily check-ins of a resident who checks in, today's up to now, a
        few days missed."""
        for back in range(30, -1, -1):
            day = self.today - timedelta(days=back)
            at = datetime.combine(day, time(0, 30)) + timedelta(minutes=rng.randint(0, 90))
            if rng.random() < 0.92 and at < self.now:
                check_ins.append(
                    {
                        "id": len(check_ins) + 1,
                        "resident_id": elder.id,
                        "day": day,
                        "at": at,
                        "by_id": elder.id,
                    }
                )

    # Service points --------------------------------------------------------------------------

    def points(self) -> None:
        """points_days of service points, up to now: each community's settings and vouchers,
        volunteers' (and a few residents') deeds with their hours, vouchers got, used at the
        canteen and expired, gifts to the pool, and points expired where a community lets them;
        played in the order they happened, so that no one spends points before earning them."""
        started = clock.perf_counter()
        rng, sc = self.rng("points"), self.scale
        self.points_from = self.today - timedelta(days=sc.points_days)
        self.points_rules = {
            c["id"]: {**DEFAULT_POINTS, **(OWN_POINTS if i % 4 == 3 else {})}
            for i, c in enumerate(self.communities)
        }
        keeps = {c["id"]: 12 for i, c in enumerate(self.communities) if i % 3 == 0}
        self.kinds = self._voucher_kinds()
        self.helpful = self._helpful(rng)
        volunteers = sorted({v for grid in self.volunteers_of.values() for v in grid})
        keen = {v: rng.lognormvariate(0, 0.7) for v in volunteers}
        self.volunteers_in = defaultdict(list)
        for v in volunteers:
            self.volunteers_in[self.people[v - 1]["community_id"]].append(v)
        deeds = [
            *self._round_deeds(rng, keen),
            *self._errand_deeds(),
            *self._activity_deeds(rng, keen),
            *self._kitchen_deeds(rng, keen),
            *self._awards(rng),
        ]
        self._lunches, self._booked = self._meals_to_pay()
        self.ledger = _Ledger()
        self.records, self.vouchers, self.paid_bookings = [], [], []
        self.had: dict[tuple[int, int], int] = defaultdict(int)  # {(kind id, person id): got}
        self.paid: set[int] = set()  # the bookings a voucher pays
        self._play(rng, deeds, keeps)
        self.insert(
            PointsRule,
            [
                {"community_id": cid, "rule": rule, "points": number}
                for cid, rules in self.points_rules.items()
                for rule, number in rules.items()
                if number != DEFAULT_POINTS[rule]
            ],
        )
        self.insert(
            PointsSettings,
            [{"community_id": cid, "expire_after_months": months} for cid, months in keeps.items()],
        )
        self.insert(VoucherKind, self.kinds)
        self.insert(PointsAccount, list(self.ledger.accounts.values()))
        self.insert(PointsTransaction, self.ledger.transactions)
        self.insert(PointsEntry, self.ledger.entries)
        self.insert(ServiceRecord, self.records)
        self.insert(Voucher, self.vouchers)
        self._pay_bookings()
        self.points_took = clock.perf_counter() - started

    def _voucher_kinds(self) -> list[dict]:
        """Each community's vouchers, as the demo offers them (meal vouchers only where there is a
        canteen): a first lot put on offer when points began, valid for half the history, and the
        lot of the year since."""
        half = self.scale.points_days // 2
        lots = (
            (self.points_from, self.points_from + timedelta(days=half - 1)),
            (
                self.points_from + timedelta(days=half),
                self.points_from + timedelta(days=half + 364),
            ),
        )
        rows = []
        for community in self.communities:
            for first, last in lots:
                for name, use, value, price, stock, limit in VOUCHER_KINDS:
                    if use in MEAL_USES and community["id"] not in self.canteen_of:
                        continue
                    rows.append(
                        {
                            "id": len(rows) + 1,
                            "community_id": community["id"],
                            "name": name,
                            "use": use.value,
                            "value_fen": value,
                            "points": price,
                            "stock": stock,
                            "issued": 0,
                            "valid_from": first,
                            "valid_until": last,
                            "per_person": limit,
                            "withdrawn_at": None,
                            **self.at(min(self.now, _utc(first, time(9)) - timedelta(days=3))),
                        }
                    )
        return rows

    def _helpful(self, rng: random.Random) -> dict[int, list[_Elder]]:
        """One resident in a hundred in each community who lends a hand at activities now and
        then; where there is a canteen, residents who lunch there, to pay for it with points."""
        helpful = {}
        for community in self.communities:
            elders = self.elders_of[community["id"]]
            place = self.canteen_of.get(community["id"])
            diners = self.diners[(place.id, "lunch")] if place else []
            pool = diners if len(diners) >= len(elders) // 100 else elders
            if pool:
                helpful[community["id"]] = rng.sample(pool, max(1, len(elders) // 100))
        return helpful

    def _deed(self, at: datetime, person: int, rule: str, key: str, **fields) -> "_Deed":
        """A deed of rule by person in their community, earning the community's points for it."""
        community_id = self.people[person - 1]["community_id"]
        fields.setdefault("points", self.points_rules[community_id].get(rule, 0))
        fields.setdefault("minutes", DEFAULT_MINUTES.get(rule, 0))
        fields.setdefault("on", _local_day(at))
        return _Deed(at, community_id, person, rule, key, **fields)

    def _round_deeds(self, rng: random.Random, keen: dict[int, float]) -> list["_Deed"]:
        """The lunch rounds of every grid with deliveries, most days run by one of its volunteers
        (the rest by its grid workers, who earn nothing by their work). The rounds before the
        generated ones have no rows: their keys name the day and grid instead of a round id."""
        deeds = []
        grids = [g for g in self.grids if g["community_id"] in self.canteen_of]
        for offset in range(self.scale.points_days):
            day = self.points_from + timedelta(days=offset)
            for grid in grids:
                runners = self.volunteers_of.get(grid["id"])
                if not runners or rng.random() >= 0.7:
                    continue
                runner = rng.choices(runners, [keen[r] for r in runners])[0]
                deeds.append(
                    self._deed(
                        _utc(day, time(12, 10)) + timedelta(minutes=rng.uniform(0, 80)),
                        runner,
                        Rule.ROUND,
                        f"round:street-{day.isoformat()}-{grid['id']}:person:{runner}",
                        on=day,
                        detail={"grid": grid["name"], "meal": "lunch"},
                    )
                )
        return deeds

    def _errand_deeds(self) -> list["_Deed"]:
        """Errands and company that volunteers resolved, credited as they resolved them: once per
        request, however often it was reopened."""
        begins = _utc(self.points_from, time(0))
        volunteers = {v for grid in self.volunteers_of.values() for v in grid}
        deeds, credited = [], set()
        for event in self.help_events:
            if event["kind"] != "resolved" or event["actor_id"] not in volunteers:
                continue
            request = self.requests[event["request_id"] - 1]
            key = f"help:{request['id']}:person:{event['actor_id']}"
            if (
                event["at"] < begins
                or request["category"] not in VOLUNTEER_CATEGORIES
                or request["status"] not in (Status.RESOLVED, Status.CLOSED)
                or key in credited
            ):
                continue
            credited.add(key)
            reference = HelpRequest.reference_of(request["id"])
            detail = {"reference": reference, "category": request["category"]}
            deeds.append(self._deed(event["at"], event["actor_id"], Rule.HELP, key, detail=detail))
        return deeds

    def _activity_deeds(self, rng: random.Random, keen: dict[int, float]) -> list["_Deed"]:
        """Helpers at about half the past activities, a volunteer or two and now and then a
        resident, recorded by the organiser within a day or so."""
        begins, deeds = _utc(self.points_from, time(0)), []
        for event in self.events:
            if event["starts_at"] < begins or event["ends_at"] > self.now - timedelta(hours=1):
                continue
            community_id = event["community_id"]
            volunteers = self.volunteers_in[community_id]
            if not volunteers or rng.random() >= 0.45:
                continue
            helpers = rng.choices(
                volunteers, [keen[v] for v in volunteers], k=rng.choice((1, 1, 2))
            )
            if community_id in self.helpful and rng.random() < 0.4:
                helpers.append(rng.choice(self.helpful[community_id]).id)
            recorded = min(
                self.now - timedelta(minutes=1),
                event["ends_at"] + timedelta(hours=rng.uniform(0.2, 30)),
            )
            minutes = int((event["ends_at"] - event["starts_at"]).total_seconds() // 60)
            title = {
                "zh_Hans": event["title_zh_hans"],
                "zh_Hant": event["title_zh_hant"],
                "en": event["title_en"],
            }
            for helper in dict.fromkeys(helpers):
                deeds.append(
                    self._deed(
                        recorded,
                        helper,
                        Rule.ACTIVITY,
                        f"activity:{event['id']}:person:{helper}",
                        minutes=minutes,
                        on=_local_day(event["starts_at"]),
                        detail={"title": title},
                        by=event["organiser_id"],
                    )
                )
        return deeds

    def _kitchen_deeds(self, rng: random.Random, keen: dict[int, float]) -> list["_Deed"]:
        """Volunteers' lunch shifts in their community's kitchen on some days, as its canteen
        staff record them that afternoon."""
        deeds = []
        for community_id, place in self.canteen_of.items():
            volunteers = self.volunteers_in[community_id]
            name = _canteen_name(self.communities[community_id - 1])
            for offset in range(self.scale.points_days):
                day = self.points_from + timedelta(days=offset)
                if not volunteers or rng.random() >= 0.4:
                    continue
                many = 2 if rng.random() < 0.15 else 1
                helpers = rng.choices(volunteers, [keen[v] for v in volunteers], k=many)
                for helper in dict.fromkeys(helpers):
                    deeds.append(
                        self._deed(
                            _utc(day, time(13, 30)) + timedelta(minutes=rng.uniform(0, 240)),
                            helper,
                            Rule.KITCHEN,
                            f"kitchen:{place.id}:{day.isoformat()}:lunch:person:{helper}",
                            minutes=rng.choice((120, 150, 180)),
                            on=day,
                            detail={"canteen": name, "meal": "lunch"},
                            by=rng.choice(self.cooks_of[community_id]),
                        )
                    )
        return deeds

    def _awards(self, rng: random.Random) -> list["_Deed"]:
        """About one award by hand a month in each community, by its admin, with a reason: to a
        volunteer mostly, now and then to a resident. Awards add no hours to the record."""
        deeds, days = [], self.scale.points_days
        begins = _utc(self.points_from, time(0))
        for community in self.communities:
            volunteers = self.volunteers_in[community["id"]]
            residents = [e.id for e in self.helpful.get(community["id"], [])]
            for _ in range(max(1, days // 30)):
                pool = volunteers if volunteers and rng.random() < 0.7 else residents or volunteers
                if not pool:
                    continue
                person = rng.choice(pool)
                at = begins + (self.now - timedelta(hours=1) - begins) * rng.random()
                deeds.append(
                    self._deed(
                        at,
                        person,
                        Rule.AWARD,
                        f"award:{rng.getrandbits(128):032x}:person:{person}",
                        points=rng.choice((20, 30, 50, 100)),
                        by=self.admin_of[community["id"]],
                        reason=rng.choice(AWARD_REASONS),
                    )
                )
        return deeds

    def _meals_to_pay(self) -> tuple[dict, dict]:
        """What meal vouchers can pay, read back from the meals just inserted: each canteen
        community's past lunches with their dishes' prices, and the money-paid bookings (not
        delivered, not cancelled) of the residents who may earn points, in the order made."""
        lunches = defaultdict(list)
        rows = db.session.execute(
            select(MealService.canteen_id, MealDay.id, MealDay.day, Dish.id, Dish.price_fen)
            .join(MealDay, MealDay.service_id == MealService.id)
            .join(Dish, Dish.meal_day_id == MealDay.id)
            .where(MealService.kind == "lunch", MealDay.day < self.today)
            .order_by(MealDay.day, MealDay.id, Dish.id)
        )
        community_of = {place.id: cid for cid, place in self.canteen_of.items()}
        for canteen_id, meal_day_id, day, dish_id, price in rows:
            meals = lunches[community_of[canteen_id]]
            if not meals or meals[-1][1] != meal_day_id:
                meals.append((day, meal_day_id, []))
            meals[-1][2].append((dish_id, price))
        residents = [e.id for elders in self.helpful.values() for e in elders]
        booked = defaultdict(list)
        rows = db.session.execute(
            select(
                Booking.resident_id,
                Booking.created_at,
                Booking.id,
                MealDay.day,
                Booking.price_fen,
                Booking.booked_by_id,
            )
            .join(MealDay, MealDay.id == Booking.meal_day_id)
            .where(
                Booking.resident_id.in_(residents),
                Booking.status != BookingStatus.CANCELLED,
                Booking.mode != BookingMode.DELIVERY,
                Booking.price_fen > 0,
            )
            .order_by(Booking.created_at, Booking.id)
        )
        for resident_id, *booking in rows:
            booked[resident_id].append(tuple(booking))
        return lunches, booked

    def _play(self, rng: random.Random, deeds: list["_Deed"], keeps: dict[int, int]) -> None:
        """Every movement of points in the order it happened: deeds, shopping for vouchers,
        vouchers used and expired, and each night's expiry where points expire."""
        queue: list = []
        order = itertools.count()

        def later(at: datetime, action, *args) -> None:
            heappush(queue, (at, next(order), action, args))

        for community in self.communities:
            for kind in (AccountKind.ISSUED, AccountKind.VOUCHERS, AccountKind.POOL):
                self.ledger.account(community["id"], kind)
        first_deed: dict[int, datetime] = {}
        for deed in sorted(deeds, key=lambda d: (d.at, d.key)):
            later(deed.at, self._credit, deed)
            first_deed.setdefault(deed.person_id, deed.at)
        for person, first in first_deed.items():
            every = rng.uniform(10, 40)
            at = first + timedelta(days=rng.expovariate(1 / every))
            while at < self.now:
                later(at, self._shop, rng, person)
                at += timedelta(days=rng.expovariate(1 / every))
        for community_id, months in keeps.items():
            for offset in range(1, self.scale.points_days + 1):
                day = self.points_from + timedelta(days=offset)
                if months_before(day, months) > self.points_from:
                    at = min(self.now, _utc(day, time(0, 5)))
                    later(at, self._expire, community_id, day, months)
        self.later = later
        while queue:
            at, _order, action, args = heappop(queue)
            action(at, *args)

    def _credit(self, at: datetime, deed: "_Deed") -> None:
        """One deed, as rules.credit records it: its line in the record of service (when it took
        time) and its points from the community."""
        if deed.minutes > 0:
            self.records.append(
                {
                    "id": len(self.records) + 1,
                    "community_id": deed.community_id,
                    "person_id": deed.person_id,
                    "deed_key": deed.key,
                    "rule": deed.rule,
                    "minutes": deed.minutes,
                    "on": deed.on,
                    "detail": deed.detail,
                }
            )
        if deed.points <= 0:
            return
        ledger = self.ledger
        ledger.move(
            deed.community_id,
            Movement.AWARDED if deed.rule == Rule.AWARD else Movement.EARNED,
            [
                (ledger.account(deed.community_id, AccountKind.ISSUED), -deed.points),
                (
                    ledger.account(deed.community_id, AccountKind.PERSON, deed.person_id),
                    deed.points,
                ),
            ],
            at,
            deed_key=deed.key,
            by=deed.by,
            reason=deed.reason,
            detail={"rule": deed.rule, **(deed.detail or {})},
        )

    def _shop(self, at: datetime, rng: random.Random, person: int) -> None:
        """person looks at their community's vouchers: gets one they can afford, most times,
        meal vouchers rather while the canteen's meals are on record; or, now and then, gives
        some points to the community's pool."""
        community_id = self.people[person - 1]["community_id"]
        own = self.ledger.account(community_id, AccountKind.PERSON, person)
        day = _local_day(at)
        lunches = self._lunches.get(community_id)
        # Meal vouchers while the canteen's meals are on record, to pay them; before, rarely.
        meals = bool(lunches) and lunches[0][0] - timedelta(days=7) <= day < lunches[-1][0]
        meals = meals or rng.random() < 0.03
        offered, weights = [], []
        for kind in self.kinds:
            if (
                kind["community_id"] != community_id
                or not kind["valid_from"] <= day <= kind["valid_until"]
                or (kind["stock"] is not None and kind["issued"] >= kind["stock"])
                or (kind["per_person"] or sys.maxsize) <= self.had[(kind["id"], person)]
                or kind["points"] > own["balance"]
                or (kind["use"] in MEAL_USES and not meals)
            ):
                continue
            offered.append(kind)
            weights.append(SHOPPING[kind["use"]])
        if offered and rng.random() < 0.7:
            self._redeem(at, rng, person, rng.choices(offered, weights)[0])
        elif not offered and own["balance"] >= 100 and rng.random() < 0.05:
            given = rng.choice((10, 20, 30))
            self.ledger.move(
                community_id,
                Movement.GIVEN,
                [(own, -given), (self.ledger.account(community_id, AccountKind.POOL), given)],
                at,
                by=person,
                detail={"from": self.people[person - 1]["name"], "to": None},
            )

    def _redeem(self, at: datetime, rng: random.Random, person: int, kind: dict) -> None:
        """person gets a voucher of kind, as vouchers.redeem does, and uses it later or lets it
        run out."""
        community_id = kind["community_id"]
        kind["issued"] += 1
        self.had[(kind["id"], person)] += 1
        ledger = self.ledger
        paid = ledger.move(
            community_id,
            Movement.REDEEMED,
            [
                (ledger.account(community_id, AccountKind.PERSON, person), -kind["points"]),
                (ledger.account(community_id, AccountKind.VOUCHERS), kind["points"]),
            ],
            at,
            by=person,
            detail={"voucher": kind["name"]},
        )
        voucher = {
            "id": len(self.vouchers) + 1,
            "kind_id": kind["id"],
            "community_id": community_id,
            "holder_id": person,
            "status": VoucherStatus.HELD.value,
            "request_key": f"{rng.getrandbits(128):032x}",
            "slot_key": (
                f"{kind['id']}:{person}:{self.had[(kind['id'], person)]}"
                if kind["per_person"] is not None
                else None
            ),
            "transaction_id": paid,
            "bought_at": at,
            "used_at": None,
            "used_by_id": None,
            "booking_id": None,
            "covered_fen": None,
            "dish_id": None,
        }
        self.vouchers.append(voucher)
        use = self._meal_for(rng, voucher, kind) if kind["use"] in MEAL_USES else None
        if use is not None and rng.random() < 0.9:
            self.later(use[0], self._use, voucher, kind, *use[1:])
        elif kind["valid_until"] < self.today:
            ends = min(self.now, _utc(kind["valid_until"] + timedelta(days=1), time(0, 5)))
            self.later(ends, self._voucher_expired, voucher, kind)

    def _meal_for(self, rng: random.Random, voucher: dict, kind: dict) -> tuple | None:
        """(when, by, covered, booking, dish) of the meal a meal voucher pays, within three weeks
        of getting it: the holder's next booking made after it, for a resident; a walk-in lunch
        at the counter, for a volunteer. None when there is no such meal on record."""
        bought, holder = voucher["bought_at"], voucher["holder_id"]
        first = max(_local_day(bought), kind["valid_from"])
        last = min(kind["valid_until"], _local_day(bought) + timedelta(days=21))
        if holder in self.elder_by_id:
            for made, booking, day, price, by in self._booked.get(holder, []):
                if made > bought and first <= day <= last and booking not in self.paid:
                    self.paid.add(booking)
                    return made, by, _covers(kind, price), booking, None
            return None
        meals = [
            (day, dishes)
            for day, _meal_day, dishes in self._lunches.get(voucher["community_id"], [])
            if first < day <= last
        ]
        if not meals:
            return None
        day, dishes = rng.choice(meals)
        dish, price = rng.choice(dishes)
        served = _utc(day, time(11)) + timedelta(minutes=rng.uniform(0, 110))
        cook = rng.choice(self.cooks_of[voucher["community_id"]])
        return served, cook, _covers(kind, price), None, dish

    def _use(self, at, voucher: dict, kind: dict, by: int, covered: int, booking, dish) -> None:
        """The voucher pays a meal: what it cost goes back to the community."""
        reference = f"Q{voucher['id']:06d}"
        voucher.update(
            status=VoucherStatus.USED.value,
            used_at=at,
            used_by_id=by,
            covered_fen=covered,
            booking_id=booking,
            dish_id=dish,
        )
        if booking is not None:
            self.paid_bookings.append({"booking": booking, "reference": reference, "fen": covered})
        community_id, ledger = voucher["community_id"], self.ledger
        ledger.move(
            community_id,
            Movement.USED,
            [
                (ledger.account(community_id, AccountKind.VOUCHERS), -kind["points"]),
                (ledger.account(community_id, AccountKind.ISSUED), kind["points"]),
            ],
            at,
            by=by,
            detail={"voucher": reference},
        )

    def _voucher_expired(self, at: datetime, voucher: dict, kind: dict) -> None:
        """A voucher still held after its last day, as expire_vouchers() ends it."""
        voucher["status"] = VoucherStatus.EXPIRED.value
        community_id, ledger = voucher["community_id"], self.ledger
        ledger.move(
            community_id,
            Movement.VOUCHER_EXPIRED,
            [
                (ledger.account(community_id, AccountKind.VOUCHERS), -kind["points"]),
                (ledger.account(community_id, AccountKind.ISSUED), kind["points"]),
            ],
            at,
            deed_key=f"voucher-expired:{voucher['id']}",
            detail={"voucher": f"Q{voucher['id']:06d}"},
        )

    def _expire(self, at: datetime, community_id: int, day: date, months: int) -> None:
        """The night's expiry in a community that keeps points months, as expire_points() does
        it: what each person received before the cut-off, less all that has left their account
        (the oldest points go first)."""
        ledger = self.ledger
        cutoff = _utc(months_before(day, months), time(0))
        issued = ledger.account(community_id, AccountKind.ISSUED)
        for account in list(ledger.accounts.values()):
            if account["community_id"] != community_id or account["kind"] != AccountKind.PERSON:
                continue
            received = sum(
                amount for when, amount in ledger.received[account["id"]] if when < cutoff
            )
            due = received - ledger.gone[account["id"]]
            if account["balance"] > 0 and due > 0:
                ledger.move(
                    community_id,
                    Movement.EXPIRED,
                    [(account, -due), (issued, due)],
                    at,
                    deed_key=f"expired:{account['id']}:{day.isoformat()}",
                    detail={"months": months},
                )

    def _pay_bookings(self) -> None:
        """Mark the bookings vouchers paid with the voucher's reference and what it paid."""
        table = Booking.__table__
        if self.paid_bookings:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("booking"))
                .values(paid_with=bindparam("reference"), paid_with_fen=bindparam("fen")),
                self.paid_bookings,
            )
            db.session.commit()


class _Deed(NamedTuple):
    """One deed that earns points, as rules.credit records it."""

    at: datetime
    community_id: int
    person_id: int
    rule: str
    key: str
    points: int
    minutes: int  # 0 adds no line to the record of service
    on: date
    detail: dict | None = None  # the record's; the transaction's names the rule too
    by: int | None = None
    reason: str | None = None


class _Ledger:
    """The points ledger being generated: accounts opened when first needed, transactions and
    their entries in the order they happened, and the balances they leave."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.transactions: list[dict] = []
        self.entries: list[dict] = []
        self.received: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        self.gone: dict[int, int] = defaultdict(int)

    def account(self, community_id: int, kind: str, person_id: int | None = None) -> dict:
        """The account, keyed as points.services keys it."""
        key = f"{community_id}:{kind}:{person_id if person_id is not None else '-'}"
        if key not in self.accounts:
            self.accounts[key] = {
                "id": len(self.accounts) + 1,
                "key": key,
                "community_id": community_id,
                "kind": kind,
                "person_id": person_id,
                "balance": 0,
            }
        return self.accounts[key]

    def move(self, community_id: int, kind: str, moves: list, at: datetime, **fields) -> int:
        """One transaction of moves [(account, points)]; return its id. Only the issuing
        account may go below zero."""
        assert sum(amount for _account, amount in moves) == 0, moves
        transaction_id = len(self.transactions) + 1
        for account, amount in moves:
            account["balance"] += amount
            assert account["kind"] == AccountKind.ISSUED or account["balance"] >= 0, account
            if amount > 0:
                self.received[account["id"]].append((at, amount))
            else:
                self.gone[account["id"]] -= amount
            self.entries.append(
                {
                    "id": len(self.entries) + 1,
                    "transaction_id": transaction_id,
                    "account_id": account["id"],
                    "amount": amount,
                }
            )
        self.transactions.append(
            {
                "id": transaction_id,
                "community_id": community_id,
                "kind": kind.value,
                "deed_key": fields.get("deed_key"),
                "reverses_id": None,
                "by_id": fields.get("by"),
                "reason": fields.get("reason"),
                "detail": fields.get("detail"),
                "at": at,
            }
        )
        return transaction_id


# Rules where some communities give their own number of points; gifts of points by hand.
OWN_POINTS = {Rule.HELP: 15, Rule.KITCHEN: 20}
AWARD_REASONS = (
    "重阳节敬老活动布置会场",
    "暴雨天帮独居老人送饭",
    "春节慰问孤寡老人",
    "邻里互助：帮邻居照看孩子",
    "协助社区疫苗接种登记",
    "年度优秀志愿者",
)
# How likely each kind of voucher is chosen among those one can have.
SHOPPING = {
    VoucherUse.MEAL: 4.0,
    VoucherUse.FREE_MEAL: 1.5,
    VoucherUse.EXPERIENCE: 1.0,
    VoucherUse.GOODS: 1.0,
    VoucherUse.COUNSELLING: 0.6,
}


def _covers(kind: dict, price_fen: int) -> int:
    """What a meal voucher of kind pays of a meal of price_fen (VoucherKind.covers)."""
    if kind["use"] == VoucherUse.FREE_MEAL:
        return price_fen
    return min(price_fen, kind["value_fen"] or 0)


def _canteen_name(community: dict) -> str:
    return f"{_short(community['name'])}老年幸福食堂"


class _Step(NamedTuple):
    """One thing that happens to a help request, offset seconds after it was raised."""

    offset: float
    kind: str
    actor: int | None
    text: str | None = None
    visible: bool = True
    partner: int | None = None
    level: int | None = None


OPEN = frozenset(OPEN_STATUSES)
STATUS_AFTER = {
    "taken": Status.ACKNOWLEDGED,
    "started": Status.IN_PROGRESS,
    "handed_off": Status.IN_PROGRESS,
    "resolved": Status.RESOLVED,
    "reopened": Status.ACKNOWLEDGED,
    "confirmed": Status.CLOSED,
    "auto_closed": Status.CLOSED,
}
CARE_WEIGHTS = {"red": 3.0, "yellow": 1.5, "green": 1.0}
RESIDENT_NOTES = ("我下午在家", "门铃坏了，请敲门", "不着急，明天也行", "已经好一点了")


def _durations(rng: random.Random, category: str, urgent: bool) -> tuple[float, float]:
    """Seconds until a request is taken, and then until it is put right."""
    ack = rng.lognormvariate(log(120), 0.6) if urgent else rng.lognormvariate(log(480), 0.7)
    if rng.random() < 0.03:  # raised while the grid's workers were off duty
        ack = rng.uniform(1, 14) * 3600
    median, spread = HELP_WORK[category]
    work = rng.lognormvariate(log(median * 3600), spread)
    if rng.random() < 0.02:  # waiting for parts, papers or a second visit
        work *= rng.uniform(2, 5)
    if rng.random() < 0.03:  # a hard case that drags on for weeks
        work = rng.uniform(4, 90) * 86400
    return ack, work


def _escalation(rng: random.Random, due: float, before: float, level: int) -> _Step:
    """The timer job's escalation, run within a minute of due and before the next step."""
    return _Step(
        due + rng.uniform(0, min(60, before - due)), "escalated", None, visible=False, level=level
    )


def _request_age(rng: random.Random, days: int) -> float:
    """Seconds since a request was raised; requests have grown, twice as many now as at first."""
    share = 2 - sqrt(4 - 3 * rng.random())
    return share * days * 86400


def _booking_status(rng: random.Random, past: bool) -> BookingStatus:
    """Past meals were mostly served; coming ones are booked, a few cancelled."""
    if past:
        return rng.choices(
            (BookingStatus.SERVED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED), (90, 4, 6)
        )[0]
    return BookingStatus.CANCELLED if rng.random() < 0.04 else BookingStatus.BOOKED


def _suited(menu: list[_Dish], diet_tags: str) -> _Dish:
    """The dish a delivery gets: the first that suits every diet need, else the first, that has
    a portion left (as the delivery services choose)."""
    needs = {tag for tag in diet_tags.split(",") if tag}
    ordered = sorted(menu, key=lambda d: not needs <= set(DISHES[d.template][4].split(",")))
    return next(d for d in ordered if d.portions is None or d.booked < d.portions)


def _pick(rng: random.Random, menu: list[_Dish], standing: bool) -> _Dish:
    """A dish by taste; a dish that has run out of its portions sends the booking elsewhere."""
    dish = rng.choices(menu, [d.weight for d in menu])[0]
    if standing and dish.portions is not None and dish.booked >= dish.portions:
        dish = next(d for d in menu if d.portions is None)
    if standing:
        dish.booked += 1
    return dish


def _demand(rng: random.Random, event: dict, past: bool, lead: int) -> tuple[int, int]:
    """(going, waiting) at an event lead days ahead: open ones count those who came; the
    further ahead, the fewer have signed up yet."""
    if not event["signup_required"]:
        return (rng.randint(5, 25) if past else 0), 0
    keen = rng.uniform(0.5, 1.25) if past else rng.uniform(0.3, 1.1) * max(0.2, 1 - lead / 30)
    capacity = event["capacity"]
    wanted = round((capacity or 30) * keen)
    going = wanted if capacity is None else min(capacity, wanted)
    return going, wanted - going


def _titles(zh_hans: str, zh_hant: str, en: str) -> dict:
    """An event's or series' titles in the three languages, without descriptions."""
    return {
        "title_zh_hans": zh_hans,
        "title_zh_hant": zh_hant,
        "title_en": en,
        "description_zh_hans": None,
        "description_zh_hant": None,
        "description_en": None,
    }


def _last_fridays(first: date, weeks: int) -> list[date]:
    """The last Friday of each month that falls within the weeks from first."""
    end = first + timedelta(weeks=weeks)
    fridays, month = [], first.replace(day=1)
    while month < end:
        following = (month + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        friday = last - timedelta(days=(last.weekday() - 4) % 7)
        if first <= friday < end:
            fridays.append(friday)
        month = following
    return fridays


# Helpers -------------------------------------------------------------------------------------


def _noon(day: date) -> datetime:
    """Noon in Shanghai on day, as naive UTC."""
    return datetime.combine(day, time(4))


def _short(community_name: str) -> str:
    """The community's name without 社区, as its canteen and property company use it."""
    return community_name.removesuffix("社区")


def _name(rng: random.Random, female: bool, elder: bool) -> str:
    """A Chinese name built as the demo builds them."""
    given = (GIVEN_FEMALE if female else GIVEN_MALE) if elder else YOUNG_GIVEN
    return rng.choice(SURNAMES) + rng.choice(given)


def _birthday(rng: random.Random, today: date, age: int) -> date:
    """A birth date on which someone is exactly age years old today."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return latest - timedelta(days=rng.randint(0, (latest - earliest).days))


def _years_before(day: date, years: int) -> date:
    """The same day years earlier; 28 February for a 29 February that year lacks."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _diet_tags(rng: random.Random) -> str:
    """Diet needs a delivery should suit, for a few residents."""
    tags = [tag for tag in ("soft", "low_salt", "low_sugar") if rng.random() < 0.15]
    return ",".join(tags)


def _utc(day: date, moment: time) -> datetime:
    """A local time in the street's zone as naive UTC."""
    return datetime.combine(day, moment, tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def _local_day(moment: datetime) -> date:
    """The street's local date at a naive UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(ZONE).date()


def _appetite(share: float, day: date, today: date) -> float:
    """How many book a meal, relatively: fewer at weekends, and fewer the further ahead it is."""
    weekend = 0.8 if day.weekday() >= 5 else 1.0
    ahead = (day - today).days
    return share * weekend * (1.0 if ahead < 0 else max(0.25, 0.9 - 0.12 * ahead))


def _shares(total: int, weights: list[float]) -> list[int]:
    """total split in proportion to weights, in whole numbers that add up to total."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _reset_sequences() -> None:
    """On PostgreSQL, move each id sequence past the ids given here, so the app can insert."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), MAX(id)) "
                    f'FROM "{table.name}" HAVING MAX(id) IS NOT NULL'
                )
            )
    db.session.commit()


def _analyze() -> None:
    """Give the query planner statistics of the new rows, and on PostgreSQL mark their pages
    all-visible, as autovacuum leaves a table that has settled: an index-only scan then reads
    no table page."""
    db.session.commit()
    command = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text(command))


@click.command("street")
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="street",
    show_default=True,
    help="street: a whole street office of generated people and history; block: the same, small.",
)
@click.option("--seed", type=int, default=SEED, show_default=True)
@with_appcontext
def street_command(scale: str, seed: int) -> None:
    """Generate a street office into an empty, migrated database."""
    from portal.help.services import Timers

    try:
        lines = build_street(SCALES[scale], seed, timers=Timers.from_config(current_app.config))
    except NotEmpty as error:
        raise click.ClickException(str(error)) from None
    for line in lines:
        click.echo(line)


if __name__ == "__main__":
    from portal import create_app

    street_command.main(obj=ScriptInfo(create_app=create_app))
