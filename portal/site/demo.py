"""A believable demo community: one street office, two communities, their people and one kiosk.

Deterministic (a fixed seed) and idempotent: every record is found by its natural key before it is
created, so running it twice changes nothing.
"""

import random
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.accounts.models import (
    CareColour,
    FamilyLink,
    Kinship,
    Kiosk,
    LinkStatus,
    Person,
    Role,
    RoleGrant,
)
from portal.accounts.services import token_hash
from portal.activities.models import Event, Series, SignUp, SignUpStatus, Venue
from portal.canteen.models import Booking, BookingMode, Canteen, Dish, MealDay, MealService
from portal.canteen.services import canteen_of
from portal.care.models import CareVisit, ColourChange, Outcome
from portal.community.models import (
    Building,
    Community,
    Grid,
    Partner,
    PartnerKind,
    StreetOffice,
    today_in,
)
from portal.community.services import floor_of_room
from portal.config import DEFAULT_TIMEZONE
from portal.delivery import bookings as delivery_bookings
from portal.delivery.models import DeliveryEnrolment, EnrolmentStatus
from portal.extensions import db
from portal.help import catalogue
from portal.help.models import (
    Category,
    Charge,
    Handler,
    HelpEvent,
    HelpRequest,
    HelpService,
    ServiceQuestion,
    Status,
)
from portal.model_base import utcnow
from portal.paperwork import services as paperwork
from portal.paperwork.models import PaperworkCase, PaperworkDue
from portal.points import rules, vouchers
from portal.points import services as points
from portal.points.models import VoucherKind, VoucherUse

DEMO_PASSWORD = "linli-demo-2026"
DEMO_PIN = "2580"
SEED = 20261122

STREET = ("和平街道办事处", "0871-63100000")
COMMUNITIES = (("幸福里社区", "0871-63101234"), ("锦绣园社区", "0871-63105678"))
GRID_NAMES = ("第一网格", "第二网格", "第三网格", "第四网格")

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_FEMALE = (
    "秀英",
    "桂英",
    "秀兰",
    "玉兰",
    "凤英",
    "淑珍",
    "玉珍",
    "桂兰",
    "素芬",
    "丽华",
    "美玲",
    "翠花",
    "金凤",
    "玉梅",
    "淑芳",
    "慧敏",
    "静",
    "芳",
    "娟",
    "霞",
)
GIVEN_MALE = (
    "建国",
    "建华",
    "国庆",
    "志强",
    "德明",
    "福生",
    "永康",
    "树林",
    "长青",
    "德胜",
    "文华",
    "宝山",
    "海涛",
    "振华",
    "卫东",
    "明",
    "军",
    "伟",
    "强",
    "勇",
)
YOUNG_GIVEN = (
    "娜",
    "婷",
    "磊",
    "洋",
    "静怡",
    "子涵",
    "浩然",
    "欣怡",
    "宇轩",
    "佳琪",
    "俊杰",
    "雨萱",
)

KINSHIPS = (Kinship.DAUGHTER, Kinship.SON, Kinship.DAUGHTER_IN_LAW, Kinship.GRANDCHILD)


class _Builder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.password_hash = generate_password_hash(DEMO_PASSWORD)
        self.pin_hash = generate_password_hash(DEMO_PIN)
        self.created = 0

    def one(self, model, defaults=None, **key):
        """Return the row of model matching key, creating it with defaults when missing."""
        row = db.session.scalar(select(model).filter_by(**key))
        if row is None:
            row = model(**key, **(defaults or {}))
            db.session.add(row)
            db.session.flush()
            self.created += 1
        return row

    def name(self, female: bool, elder: bool = True) -> str:
        given = (GIVEN_FEMALE if female else GIVEN_MALE) if elder else YOUNG_GIVEN
        return self.rng.choice(SURNAMES) + self.rng.choice(given)

    def person(self, phone: str, name: str, roles, community, grids=()) -> Person:
        person = self.one(
            Person,
            defaults={"name": name, "password_hash": self.password_hash, "community": community},
            phone=phone,
        )
        for role in roles:
            for grid in grids or (None,):
                self.one(
                    RoleGrant, person_id=person.id, role=role, grid_id=grid.id if grid else None
                )
        return person


def build_demo(today: date | None = None) -> list[str]:
    """Create whatever part of the demo community is missing; return lines describing the accounts."""
    today = today or today_in(DEFAULT_TIMEZONE)
    b = _Builder()
    street = b.one(StreetOffice, defaults={"hotline": STREET[1]}, name=STREET[0])
    communities, grids, buildings = [], [], []
    for name, hotline in COMMUNITIES:
        community = b.one(
            Community, defaults={"hotline": hotline, "street_office": street}, name=name
        )
        communities.append(community)
        building_number = 0
        for grid_index, grid_name in enumerate(GRID_NAMES):
            grid = b.one(Grid, community_id=community.id, name=grid_name)
            grids.append(grid)
            # Six buildings per community: two in each of the first two grids, one in the others.
            for _ in range(2 if grid_index < 2 else 1):
                building_number += 1
                buildings.append(
                    b.one(
                        Building,
                        defaults={
                            "has_lift": building_number % 3 == 0,
                            "units": 2 + building_number % 2,
                            "floors": 18 if building_number % 3 == 0 else 6,
                            "address_zh_hans": f"{name}{building_number}号楼",
                        },
                        grid_id=grid.id,
                        name=f"{building_number}号楼",
                    )
                )

    admin = b.person("13800000001", "周海燕", [Role.ADMIN], communities[0])
    # The street office's admin belongs to no community and so administers all of them.
    street_admin = b.person("13800000003", "陈建华", [Role.ADMIN], None)
    organiser = b.person("13800000002", "孙丽", [Role.ORGANISER], communities[0])
    canteen = [
        b.person(
            f"1380000030{i}",
            b.name(i % 2 == 0, elder=False) + "师傅",
            [Role.CANTEEN_STAFF],
            communities[i - 1],
        )
        for i in (1, 2)
    ]
    workers = [
        b.person(
            f"138000001{i:02d}",
            b.name(i % 2 == 0, elder=False),
            [Role.GRID_WORKER],
            grid.community,
            grids=[grid],
        )
        for i, grid in enumerate(grids, start=1)
    ]
    volunteers = [
        b.person(
            f"138000002{i:02d}",
            b.name(i % 3 != 0, elder=i % 4 == 0),
            [Role.VOLUNTEER],
            grids[(i - 1) % len(grids)].community,
            grids=[grids[(i - 1) % len(grids)], grids[i % len(grids)]],
        )
        for i in range(1, 13)
    ]

    residents = []
    for i in range(1, 121):
        building = buildings[(i - 1) % len(buildings)]
        female = b.rng.random() < 0.58
        age = min(97, 60 + int(b.rng.triangular(0, 37, 14)))
        if i in (3, 17, 42, 88, 101):
            age = b.rng.randint(80, 96)
        birthday = today - timedelta(days=age * 365 + b.rng.randint(0, 364))
        colour = b.rng.choices(
            [CareColour.RED, CareColour.YELLOW, CareColour.GREEN], weights=[15, 35, 50]
        )[0]
        resident = b.one(
            Person,
            defaults={
                "name": b.name(female),
                # Most have a mobile of their own; some of the oldest only a family's.
                "phone": None if i % 8 == 0 else f"1370000{i:04d}",
                "pin_hash": b.pin_hash,
                "community_id": building.grid.community_id,
                "building": building,
                "unit": f"{b.rng.randint(1, 3)}单元",
                "room": f"{b.rng.randint(1, 6)}0{b.rng.randint(1, 4)}",
                "birth_date": birthday,
                "care_colour": colour,
                "special_support": i in (3, 17, 42, 88, 101) or b.rng.random() < 0.03,
                "diet_notes": next((n for k, n in DIET_NOTES.items() if i % k == 0), None),
            },
            resident_code=f"{100000 + i}",
        )
        b.one(RoleGrant, person_id=resident.id, role=Role.RESIDENT, grid_id=None)
        residents.append(resident)

    families = []
    for i in range(1, 37):
        resident = residents[(i * 7) % len(residents)]
        family = b.person(
            f"138000004{i:02d}",
            resident.name[0] + b.rng.choice(YOUNG_GIVEN),
            [Role.FAMILY],
            None,
        )
        families.append(family)
        status = LinkStatus.PENDING if i in (5, 11) else LinkStatus.ACTIVE
        b.one(
            FamilyLink,
            defaults={
                "kinship": KINSHIPS[i % len(KINSHIPS)],
                "status": status,
                "decided_at": utcnow() if status == LinkStatus.ACTIVE else None,
            },
            family_id=family.id,
            resident_id=resident.id,
        )

    _demo_help(b, communities, residents, workers, volunteers)
    for community in communities:
        _demo_catalogue(community, admin)
    _demo_canteens(b, communities, today)
    _demo_bookings(residents[59:89], today)
    _demo_activities(b, communities, residents, organiser, today)
    _demo_deliveries(b, residents, families, canteen, today)
    _demo_care(b, residents, workers, today)
    _demo_points(b, communities, residents, volunteers, canteen, organiser, admin, today)
    _demo_paperwork(b, communities, residents, today)

    b.one(
        Kiosk,
        defaults={
            "community": communities[0],
            "location": "幸福里社区 活动室",
            "enrolled_by_id": admin.id,
        },
        token_hash=token_hash(f"demo-kiosk-{SEED}"),
    )
    db.session.commit()

    first = residents[0]
    return [
        f"Demo community ready ({b.created} records created).",
        f"Every demo password: {DEMO_PASSWORD}    every resident PIN: {DEMO_PIN}",
        f"  admin           {admin.phone} ({admin.name}, {communities[0].name})",
        f"  street admin    {street_admin.phone} ({street_admin.name}, every community)",
        f"  organiser       {organiser.phone} ({organiser.name})",
        f"  canteen staff   {canteen[0].phone} ({canteen[0].name})",
        f"  grid worker     {workers[0].phone} ({workers[0].name}, {grids[0].name})",
        f"  volunteer       {volunteers[0].phone} ({volunteers[0].name})",
        f"  family member   {families[0].phone} ({families[0].name})",
        f"  partner         {PARTNER_PERSON[0]} ({PARTNER_PERSON[1]}, a property company)",
        f"  resident        code {first.resident_code} ({first.name}) — sign in at /kiosk",
        "Make a browser the kiosk: sign in as the admin, open Kiosks, enrol this device.",
    ]


PARTNERS = (
    ("物业服务中心", "0871-63200001", PartnerKind.PROPERTY),
    ("自来水公司 水务抢修", "96106", PartnerKind.WATER),
    ("社区卫生服务站", "0871-63200003", PartnerKind.CLINIC),
)
DEMO_REQUESTS = (
    (0, Category.REPAIR, Status.NEW, 12, "厨房水龙头一直滴水"),
    (7, Category.UNWELL, Status.NEW, 2, None),
    (14, Category.ERRAND, Status.ACKNOWLEDGED, 40, "帮忙买降压药"),
    (21, Category.PAPERWORK, Status.IN_PROGRESS, 300, "养老金资格认证"),
    (28, Category.COMPANY, Status.RESOLVED, 1500, None),
    (35, Category.REPAIR, Status.CLOSED, 4000, "楼道灯不亮"),
    (46, Category.REPAIR, Status.IN_PROGRESS, 90, "卫生间水管漏水"),
)
# The request above handed to its community's property company, and the company's repairman,
# who has accepted it; another of that community's requests is waiting for him to accept it.
HANDED_TO_PROPERTY = 46
WAITING_FOR_PROPERTY = ("楼道门禁打不开", 8)
PARTNER_PERSON = ("13800000501", "张师傅")


def _demo_help(b: _Builder, communities, residents, workers, volunteers) -> None:
    """Partners for each community, the property company's repairman of the community of the
    request handed to it, and a handful of requests in different states."""
    property_companies = {}
    for community in communities:
        for name, phone, kind in PARTNERS:
            partner = b.one(
                Partner,
                defaults={"phone": phone, "kind": kind},
                community_id=community.id,
                name=f"{community.name[:3]}{name}" if name.startswith("物业") else name,
            )
            if name.startswith("物业"):
                property_companies[community.id] = partner
    handed_to = property_companies[residents[HANDED_TO_PROPERTY].community_id]
    repairman = b.person(*PARTNER_PERSON, [], handed_to.community)
    b.one(RoleGrant, person_id=repairman.id, role=Role.PARTNER, partner_id=handed_to.id)
    if db.session.scalar(select(HelpRequest.id).limit(1)) is not None:
        return
    now = utcnow()
    for index, category, status, minutes_ago, note in DEMO_REQUESTS:
        resident = residents[index]
        grid = resident.building.grid
        worker = next(w for w in workers if w.grants[0].grid_id == grid.id)
        created = now - timedelta(minutes=minutes_ago)
        request = HelpRequest(
            resident_id=resident.id,
            raised_by_id=resident.id,
            category=category,
            urgent=category == Category.UNWELL,
            status=status,
            grid_id=grid.id,
            community_id=grid.community_id,
            note=note,
            created_at=created,
            updated_at=created,
        )
        db.session.add(request)
        events = [("created", resident, note, True, created)]
        if status != Status.NEW:
            request.holder_id = worker.id
            request.acknowledged_at = created + timedelta(minutes=3)
            events.append(("taken", worker, None, True, request.acknowledged_at))
        if index == HANDED_TO_PROPERTY:
            request.partner_id = handed_to.id
            request.handed_at = created + timedelta(minutes=20)
            request.accepted_at = created + timedelta(minutes=35)
            events.append(("handed_off", worker, "请物业上门查看", True, request.handed_at))
            events.append(("partner_accepted", repairman, None, True, request.accepted_at))
        if status in (Status.RESOLVED, Status.CLOSED):
            request.resolved_at = created + timedelta(hours=5)
            events.append(("resolved", worker, "已处理好", True, request.resolved_at))
        if status == Status.CLOSED:
            request.closed_at = created + timedelta(hours=8)
            request.feedback = "fixed"
            events.append(("confirmed", resident, None, True, request.closed_at))
        for kind, actor, text, visible, at in events:
            db.session.add(
                HelpEvent(
                    request=request,
                    actor_id=actor.id,
                    kind=kind,
                    text=text,
                    visible=visible,
                    at=at,
                    partner_id=handed_to.id if kind in PARTNER_EVENTS else None,
                )
            )
    _demo_waiting_for_partner(residents[HANDED_TO_PROPERTY + 1 :], handed_to, workers, now)


PARTNER_EVENTS = ("handed_off", "partner_accepted")

# Each community's own catalogue: water problems, asked about in two questions, for the grid
# worker to send to the property company or the water company; moving house, a paid service
# behind More services, and so is "something else".
WATER_SERVICE = {
    "names": {"zh_Hans": "停水、水管", "zh_Hant": "停水、水管", "en": "Water problem"},
    "hints": {
        "zh_Hans": "没水、漏水、水压低",
        "zh_Hant": "沒水、漏水、水壓低",
        "en": "No water, a leak",
    },
}
WATER_QUESTIONS = (
    (
        {"zh_Hans": "哪里有问题？", "zh_Hant": "哪裡有問題？", "en": "Where is the problem?"},
        "choice",
        [
            {"zh_Hans": "厨房", "zh_Hant": "廚房", "en": "Kitchen"},
            {"zh_Hans": "卫生间", "zh_Hant": "衛生間", "en": "Bathroom"},
            {"zh_Hans": "整栋楼都没水", "zh_Hant": "整棟樓都沒水", "en": "The whole building"},
        ],
        True,
    ),
    (
        {
            "zh_Hans": "邻居家也这样吗？",
            "zh_Hant": "鄰居家也這樣嗎？",
            "en": "Do the neighbours have it too?",
        },
        "yes_no",
        [],
        False,
    ),
)


def _demo_catalogue(community: Community, admin: Person) -> None:
    if catalogue.has_catalogue(community.id):
        return
    services = catalogue.start(admin, community.id)
    for service in services:
        service.position += 1
        service.on_kiosk = service.code != Category.OTHER
    water = HelpService(
        community_id=community.id,
        code="water",
        category=Category.REPAIR,
        handler=Handler.GRID,
        charge=Charge.FREE,
        position=0,
        on_kiosk=True,
        **WATER_SERVICE,
    )
    for index, (texts, kind, choices, required) in enumerate(WATER_QUESTIONS):
        water.questions.append(
            ServiceQuestion(
                texts=texts, kind=kind, choices=choices, required=required, position=index
            )
        )
    moving = HelpService(
        community_id=community.id,
        code="moving",
        category=Category.ERRAND,
        names={"zh_Hans": "搬家帮忙", "zh_Hant": "搬家幫忙", "en": "Help moving house"},
        hints={"zh_Hans": "搬运家具、打包", "en": "Furniture, packing"},
        charge=Charge.PAID,
        price_fen=8000,
        open_days="123456",
        opens=time(8, 30),
        closes=time(17, 30),
        position=10,
        on_kiosk=False,
    )
    db.session.add_all([water, moving])
    db.session.commit()


# Pension authentication dates: due in three days (grid 1), two days late (grid 1), in twenty
# days (the resident whose pages the tests look at), and through the year for every fourth.
PENSION_DAYS = {0: 3, 6: -2, 7: 20}


def _demo_paperwork(b: _Builder, communities, residents, today: date) -> None:
    """The usual kinds of paperwork in each community; the demo's paperwork request made a
    pension authentication with the ID card in the worker's hands; and pension dates."""
    for community in communities:
        paperwork.start_kinds(community.id)
    pensions = {c.id: paperwork.kind_by_code(c.id, "pension") for c in communities}
    resident = residents[next(i for i, c, *_ in DEMO_REQUESTS if c == Category.PAPERWORK)]
    request = db.session.scalar(
        select(HelpRequest).where(
            HelpRequest.resident_id == resident.id, HelpRequest.category == Category.PAPERWORK
        )
    )
    pension = pensions[resident.community_id]
    if request is not None and db.session.get(PaperworkCase, request.id) is None:
        documents = paperwork.documents_of(pension)
        documents[0].received_at = request.acknowledged_at
        documents[0].received_by_id = request.holder_id
        db.session.add(
            PaperworkCase(request_id=request.id, kind_id=pension.id, documents=documents)
        )
    for index, resident in enumerate(residents):
        days = PENSION_DAYS.get(index, (index * 37) % 360 + 10 if index % 4 == 0 else None)
        if days is None:
            continue
        b.one(
            PaperworkDue,
            defaults={
                "due_on": today + timedelta(days=days),
                "last_done_on": today + timedelta(days=days) - timedelta(days=365),
            },
            resident_id=resident.id,
            kind_id=pensions[resident.community_id].id,
        )


def _demo_waiting_for_partner(residents, partner: Partner, workers, now) -> None:
    """A repair of the partner's community, handed to it minutes ago and not yet accepted."""
    note, minutes_ago = WAITING_FOR_PROPERTY
    resident = next(r for r in residents if r.community_id == partner.community_id)
    grid = resident.building.grid
    worker = next(w for w in workers if w.grants[0].grid_id == grid.id)
    created = now - timedelta(minutes=minutes_ago + 5)
    handed = now - timedelta(minutes=minutes_ago)
    request = HelpRequest(
        resident_id=resident.id,
        raised_by_id=resident.id,
        category=Category.REPAIR,
        status=Status.IN_PROGRESS,
        grid_id=grid.id,
        community_id=grid.community_id,
        note=note,
        holder_id=worker.id,
        acknowledged_at=created + timedelta(minutes=2),
        partner_id=partner.id,
        handed_at=handed,
        created_at=created,
        updated_at=handed,
    )
    db.session.add(request)
    for kind, actor, text, at, partner_id in (
        ("created", resident, note, created, None),
        ("taken", worker, None, request.acknowledged_at, None),
        ("handed_off", worker, "请物业尽快上门", handed, partner.id),
    ):
        db.session.add(
            HelpEvent(
                request=request,
                actor_id=actor.id,
                kind=kind,
                text=text,
                visible=True,
                at=at,
                partner_id=partner_id,
            )
        )


DISHES = (
    ("红烧肉套餐", "紅燒肉套餐", "Braised pork set meal", 1500, "", None, "set_meal"),
    ("清蒸鲈鱼", "清蒸鱸魚", "Steamed sea bass", 1800, "low_salt", 20, "rice"),
    ("番茄炒蛋", "番茄炒蛋", "Tomato and egg stir-fry", 1000, "soft,vegetarian", None, "rice"),
    (
        "南瓜小米粥",
        "南瓜小米粥",
        "Pumpkin and millet porridge",
        600,
        "soft,low_sugar,vegetarian",
        None,
        "soup",
    ),
    ("牛肉拉面", "牛肉拉麵", "Beef noodle soup", 1400, "halal", 30, "noodles"),
    (
        "香菇青菜",
        "香菇青菜",
        "Greens with mushrooms",
        900,
        "low_salt,vegetarian",
        None,
        "vegetables",
    ),
    ("肉末豆腐", "肉末豆腐", "Tofu with minced pork", 1200, "soft", None, "rice"),
    ("三鲜水饺", "三鮮水餃", "Pork and chive dumplings", 1100, "", None, "dumplings"),
)
# Diet notes the kitchen sees, for every so many residents (by their number, not by chance, so
# the rest of the demo stays as it was).
DIET_NOTES = {7: "不吃猪肉", 11: "糖尿病，少糖", 13: "牙口不好，要软烂", 17: "花生过敏"}


def _demo_canteens(b: _Builder, communities, today: date) -> None:
    """A canteen per community with lunch and dinner, and published menus for the coming week."""
    for community in communities:
        canteen = b.one(
            Canteen,
            defaults={"phone": community.hotline[:-1] + "9", "senior_discount_percent": 20},
            community_id=community.id,
            name=f"{community.name[:3]}老年幸福食堂",
        )
        services = [
            b.one(
                MealService,
                defaults={
                    "serving_start": time(11),
                    "serving_end": time(13),
                    "cutoff": time(9, 30),
                    "capacity": 80,
                },
                canteen_id=canteen.id,
                kind="lunch",
            ),
            b.one(
                MealService,
                defaults={
                    "serving_start": time(17),
                    "serving_end": time(18, 30),
                    "cutoff": time(15),
                    "capacity": 60,
                },
                canteen_id=canteen.id,
                kind="dinner",
            ),
        ]
        for offset in range(7):
            day = today + timedelta(days=offset)
            for index, service in enumerate(services):
                meal_day = db.session.scalar(
                    select(MealDay).filter_by(service_id=service.id, day=day)
                )
                if meal_day is not None:
                    continue
                meal_day = MealDay(
                    service=service, day=day, published=True, capacity=service.capacity
                )
                db.session.add(meal_day)
                for number in range(3):
                    zh_hans, zh_hant, en, price, tags, portions, category = DISHES[
                        (offset * 2 + index * 3 + number) % len(DISHES)
                    ]
                    db.session.add(
                        Dish(
                            meal_day=meal_day,
                            name_zh_hans=zh_hans,
                            name_zh_hant=zh_hant,
                            name_en=en,
                            price_fen=price,
                            tags=tags,
                            portions=portions,
                            category=category,
                        )
                    )


def _demo_bookings(residents, today: date) -> None:
    """Lunch today and tomorrow for a few residents, so the kitchen and the counter have work."""
    for offset in (0, 1):
        for number, resident in enumerate(residents):
            meal_day = db.session.scalar(
                select(MealDay)
                .join(MealService)
                .join(Canteen)
                .where(
                    Canteen.community_id == resident.community_id,
                    MealService.kind == "lunch",
                    MealDay.day == today + timedelta(days=offset),
                )
            )
            key = Booking.key_for(resident.id, meal_day.id)
            if db.session.scalar(select(Booking.id).where(Booking.active_key == key)):
                continue
            dish = meal_day.dishes[number % len(meal_day.dishes)]
            db.session.add(
                Booking(
                    meal_day_id=meal_day.id,
                    dish_id=dish.id,
                    resident_id=resident.id,
                    booked_by_id=resident.id,
                    mode=BookingMode.PICK_UP if number % 3 == 0 else BookingMode.DINE_IN,
                    price_fen=meal_day.service.canteen.price_for(resident, dish, meal_day.day),
                    active_key=key,
                )
            )
            meal_day.booked += 1
            dish.booked += 1
        db.session.flush()


# (title zh_Hans, zh_Hant, en, category, weekday, start, end, venue index, capacity, sign-up)
WEEKLY = (
    ("象棋对弈", "象棋對弈", "Chinese chess", "chess", 1, time(14), time(16), 0, 16, True),
    (
        "书法练习",
        "書法練習",
        "Calligraphy practice",
        "calligraphy",
        3,
        time(9, 30),
        time(11),
        1,
        10,
        True,
    ),
    ("太极拳", "太極拳", "Tai chi", "exercise", 2, time(7, 30), time(8, 30), 2, None, False),
)
# (days from today, title zh_Hans, zh_Hant, en, category, start, end, venue index, capacity)
ONE_OFFS = (
    (
        2,
        "冬季养生健康讲座",
        "冬季養生健康講座",
        "Staying well in winter: a health talk",
        "health_talk",
        time(9, 30),
        time(10, 30),
        0,
        30,
    ),
    (
        4,
        "识破养老诈骗",
        "識破養老詐騙",
        "Spotting pension scams",
        "anti_fraud",
        time(15),
        time(16),
        0,
        40,
    ),
    (1, "剪纸手工", "剪紙手工", "Paper cutting", "crafts", time(14, 30), time(16), 1, 6),
)
VENUES = (
    ("红色驿站活动室", 40, True, True),
    ("阅览角", 12, True, False),
    ("小区广场", 200, True, False),
)


# (resident number, lunch, dinner, weekdays, floor when the room number does not say it, access
# notes, diet tags, applied by family)
DELIVERIES = (
    (51, True, False, "0,1,2,3,4,5,6", 3, "敲门要用力，耳朵不太好", "soft", None),
    (52, True, True, "0,1,2,3,4,5,6", 6, None, "low_salt", None),
    (53, True, False, "0,2,4", 2, "门口有鞋柜，饭放柜子上", "", None),
    (54, True, False, "0,1,2,3,4,5,6", 5, None, "soft,low_sugar", None),
    (55, True, False, "0,1,2,3,4,5,6", 4, "先打电话", "", None),
    (56, False, True, "0,1,2,3,4,5,6", 1, None, "", None),
    (61, False, True, "0,1,2,3,4,5,6", 2, "老伴行动不便，请多等一会儿", "", None),
    (62, False, True, "0,1,2,3,4,5,6", 5, None, "vegetarian", None),
    (63, True, False, "0,1,2,3,4", 4, "楼道灯坏了，请带手电", "soft", 26),  # waiting for approval
    (58, True, True, "5,6", 2, None, "", None),  # waiting for approval
)
WAITING_DELIVERIES = (63, 58)


def _demo_deliveries(b: _Builder, residents, families, staff, today: date) -> None:
    """Meal delivery for a few residents, most approved and two waiting; then the coming meals'
    delivery bookings, today's included, so that rounds have drops to mark."""
    for number, lunch, dinner, weekdays, floor, notes, diet, family in DELIVERIES:
        resident = residents[number - 1]
        place = canteen_of(resident)
        decider = next(p for p in staff if p.community_id == resident.community_id)
        waiting = number in WAITING_DELIVERIES
        key = DeliveryEnrolment.key_for(resident.id)
        b.one(
            DeliveryEnrolment,
            defaults={
                "canteen_id": place.id,
                "applied_by_id": families[family - 1].id if family else resident.id,
                "lunch": lunch,
                "dinner": dinner,
                "weekdays": weekdays,
                "start_day": today if not waiting else today + timedelta(days=2),
                "floor": floor_of_room(resident.room) or floor,
                "has_lift": resident.building.has_lift,
                "access_notes": notes,
                "diet_tags": diet,
                "contact_phone": f"1390000{number:04d}",
                "status": EnrolmentStatus.APPLIED if waiting else EnrolmentStatus.ACTIVE,
                "decided_by_id": None if waiting else decider.id,
                "decided_at": None if waiting else utcnow(),
                "dinner_key": key if dinner else None,
            },
            resident_id=resident.id,
            lunch_key=key if lunch else None,
        )
    db.session.commit()
    delivery_bookings.book_deliveries(now=_at(residents[0].community, today, time(0)))


CARE_EVERY = {CareColour.RED: 1, CareColour.YELLOW: 7, CareColour.GREEN: 30}
CARE_REASONS = {
    CareColour.RED: "独居，行动不便",
    CareColour.YELLOW: "空巢老人，患慢性病",
    CareColour.GREEN: "与子女同住，生活自理",
}


def _demo_care(b: _Builder, residents, workers, today: date) -> None:
    """Each resident's colour as their grid worker set it ten weeks ago, and two months of
    visits at the colour's pace, now and then late or not at home: so some are due today, a
    few overdue, and the report has a history."""
    rng = random.Random(f"{SEED}:care")
    worker_of = {
        grant.grid_id: worker
        for worker in workers
        for grant in worker.grants
        if grant.role == Role.GRID_WORKER
    }
    for resident in residents:
        worker = worker_of[resident.building.grid_id]
        community = resident.community
        set_at = _at(community, today - timedelta(days=70), time(10))
        b.one(
            ColourChange,
            defaults={"colour": resident.care_colour, "by_id": worker.id, "at": set_at},
            resident_id=resident.id,
            reason=CARE_REASONS[resident.care_colour],
        )
        if db.session.scalar(select(CareVisit.id).where(CareVisit.resident_id == resident.id)):
            continue
        every = CARE_EVERY[resident.care_colour]
        day = today - timedelta(days=60 - rng.randint(0, every - 1))
        while day < today:
            outcome = rng.choices(
                [Outcome.WELL, Outcome.CONCERNS, Outcome.BY_PHONE, Outcome.NOT_HOME],
                [82, 6, 8, 4],
            )[0]
            at = _at(community, day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
            db.session.add(
                CareVisit(
                    resident_id=resident.id,
                    by_id=worker.id,
                    at=at,
                    outcome=outcome,
                    colour=resident.care_colour,
                    note="精神不错" if outcome == Outcome.WELL and rng.random() < 0.2 else None,
                )
            )
            b.created += 1
            late = 0 if rng.random() < 0.85 else rng.randint(1, max(1, every // 3))
            day += timedelta(days=every + late)
    db.session.flush()


# Each community's vouchers: name, what it buys, up to what value, points, stock, limit per person.
VOUCHER_KINDS = (
    ("爱心午餐券", VoucherUse.MEAL, 1500, 50, 200, 10),
    ("免费午餐券", VoucherUse.FREE_MEAL, None, 80, 40, 4),
    ("理发体验券", VoucherUse.EXPERIENCE, 2000, 60, 30, 2),
    ("心理咨询服务券", VoucherUse.COUNSELLING, None, 100, 10, 1),
)
# Given points and a meal voucher, so that its canteen pages offer the voucher.
RESIDENT_WITH_VOUCHER = "100008"


def _demo_points(b: _Builder, communities, residents, volunteers, cooks, organiser, admin, today):
    """Each community's vouchers; two months of volunteers' deeds (delivery rounds, kitchen
    shifts, helping at activities, now and then an award) with their hours; a few vouchers got
    and used; and one resident given points and a meal voucher to book lunch with."""
    rng = random.Random(f"{SEED}:points")
    kinds = {}
    for community in communities:
        for name, use, value, price, stock, limit in VOUCHER_KINDS:
            kinds[community.id, use] = b.one(
                VoucherKind,
                defaults={
                    "use": use,
                    "value_fen": value,
                    "points": price,
                    "stock": stock,
                    "valid_from": today - timedelta(days=90),
                    "valid_until": today + timedelta(days=180),
                    "per_person": limit,
                },
                community_id=community.id,
                name=name,
            )
    places = {place.community_id: place for place in db.session.scalars(select(Canteen))}
    cook_of = {cook.community_id: cook for cook in cooks}
    for number, volunteer in enumerate(volunteers):
        community = volunteer.community
        grid = next(grant.grid for grant in volunteer.grants if grant.grid is not None)
        for days_ago in sorted(rng.sample(range(1, 60), 6 + number % 5), reverse=True):
            day = today - timedelta(days=days_ago)
            at = _at(community, day, time(13))
            if rng.random() < 0.7:
                rules.credit(
                    volunteer,
                    community.id,
                    rules.Rule.ROUND,
                    f"round:demo-{day.isoformat()}:person:{volunteer.id}",
                    on=day,
                    minutes=rules.DEFAULT_MINUTES[rules.Rule.ROUND],
                    detail={"grid": grid.name, "meal": "lunch"},
                    now=at,
                )
            elif community.id in places:
                rules.kitchen_shift(
                    volunteer,
                    places[community.id],
                    day,
                    "lunch",
                    180,
                    by=cook_of[community.id],
                    now=at,
                )
        if number % 4 == 0:
            rules.award(
                volunteer,
                community.id,
                30,
                "重阳节敬老活动布置会场",
                f"demo-{volunteer.id}",
                admin,
                now=_at(community, today - timedelta(days=40), time(16)),
            )
    helped = db.session.scalars(
        select(Event)
        .where(Event.starts_at < _at(communities[0], today - timedelta(days=1), time(0)))
        .order_by(Event.starts_at.desc())
        .limit(3)
    ).all()
    for event in helped:
        helpers = [v for v in volunteers if v.community_id == event.community_id][:2]
        rules.helped_at(event, helpers, organiser, now=event.ends_at)
    for number, volunteer in enumerate(volunteers[:6]):
        kind = kinds[volunteer.community_id, VoucherUse.MEAL]
        with suppress(points.PointsError):
            vouchers.redeem(
                volunteer,
                kind,
                f"demo:{volunteer.id}",
                now=_at(volunteer.community, today - timedelta(days=10 + number), time(18)),
            )
    resident = next(r for r in residents if r.resident_code == RESIDENT_WITH_VOUCHER)
    community = resident.community
    rules.award(
        resident,
        community.id,
        120,
        "邻里互助：帮邻居照看孩子",
        "demo-resident",
        admin,
        now=_at(community, today - timedelta(days=20), time(10)),
    )
    vouchers.redeem(
        resident,
        kinds[community.id, VoucherUse.MEAL],
        "demo:resident",
        now=_at(community, today - timedelta(days=19), time(10)),
    )


def _at(community: Community, day: date, moment: time) -> datetime:
    """Local time in the community as naive UTC."""
    local = datetime.combine(day, moment, tzinfo=ZoneInfo(community.timezone))
    return local.astimezone(UTC).replace(tzinfo=None)


def _demo_activities(b: _Builder, communities, residents, organiser, today: date) -> None:
    """Venues, three weekly activities for eight weeks, talks and a craft class with a waitlist,
    and this month's birthday party with its birthday residents invited."""
    monday = today - timedelta(days=today.weekday())
    for community in communities:
        venues = [
            b.one(
                Venue,
                defaults={"capacity": capacity, "step_free": step_free, "hearing_loop": loop},
                community_id=community.id,
                name=name,
            )
            for name, capacity, step_free, loop in VENUES
        ]
        for zh_hans, zh_hant, en, category, weekday, start, end, venue, capacity, signup in WEEKLY:
            series = b.one(
                Series,
                defaults={
                    "title_zh_hant": zh_hant,
                    "title_en": en,
                    "venue_id": venues[venue].id,
                    "organiser_id": organiser.id,
                    "category": category,
                    "weekday": weekday,
                    "starts": start,
                    "ends": end,
                    "first_day": monday,
                    "last_day": monday + timedelta(weeks=8),
                    "capacity": capacity,
                    "signup_required": signup,
                },
                community_id=community.id,
                title_zh_hans=zh_hans,
            )
            for week in range(8):
                day = series.first_day + timedelta(weeks=week, days=series.weekday)
                b.one(
                    Event,
                    defaults={
                        "community_id": community.id,
                        "venue_id": series.venue_id,
                        "organiser_id": organiser.id,
                        "title_zh_hans": zh_hans,
                        "title_zh_hant": zh_hant,
                        "title_en": en,
                        "category": category,
                        "starts_at": _at(community, day, start),
                        "ends_at": _at(community, day, end),
                        "capacity": capacity,
                        "signup_required": signup,
                    },
                    series_id=series.id,
                    series_day=day,
                )
        for offset, zh_hans, zh_hant, en, category, start, end, venue, capacity in ONE_OFFS:
            day = today + timedelta(days=offset)
            b.one(
                Event,
                defaults={
                    "venue_id": venues[venue].id,
                    "organiser_id": organiser.id,
                    "title_zh_hant": zh_hant,
                    "title_en": en,
                    "category": category,
                    "starts_at": _at(community, day, start),
                    "ends_at": _at(community, day, end),
                    "capacity": capacity,
                },
                community_id=community.id,
                title_zh_hans=zh_hans,
            )
        _demo_birthday_party(b, community, venues[0], residents, organiser, today)
    db.session.flush()
    _demo_signups(communities, residents, today)


def _demo_birthday_party(b, community, venue, residents, organiser, today: date) -> None:
    """The month's collective birthday party on its last Friday, residents born this month invited."""
    last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    friday = last - timedelta(days=(last.weekday() - 4) % 7)
    party = b.one(
        Event,
        defaults={
            "venue_id": venue.id,
            "organiser_id": organiser.id,
            "title_zh_hant": f"{today.month}月集體生日會",
            "title_en": f"Birthday party for everyone born in {today:%B}",
            "category": "birthday",
            "starts_at": _at(community, friday, time(15)),
            "ends_at": _at(community, friday, time(16, 30)),
            "capacity": 40,
        },
        community_id=community.id,
        title_zh_hans=f"{today.month}月集体生日会",
    )
    for resident in residents:
        born = resident.birth_date
        if resident.community_id == community.id and born and born.month == today.month:
            key = SignUp.key_for(resident.id, party.id)
            if db.session.scalar(select(SignUp.id).where(SignUp.active_key == key)) is None:
                db.session.add(
                    SignUp(
                        event_id=party.id,
                        resident_id=resident.id,
                        signed_up_by_id=organiser.id,
                        status=SignUpStatus.GOING,
                        active_key=key,
                        invited=True,
                    )
                )
                party.going += 1


def _demo_signups(communities, residents, today: date) -> None:
    """Residents 100090–100105 take places: the craft class fills up and has a waitlist."""
    for resident in residents[89:105]:
        events = db.session.scalars(
            select(Event)
            .where(
                Event.community_id == resident.community_id,
                Event.signup_required.is_(True),
                Event.category.in_(["crafts", "health_talk", "chess"]),
                Event.starts_at > _at(communities[0], today + timedelta(days=1), time(0)),
            )
            .order_by(Event.starts_at)
            .limit(3)
        ).all()
        for event in events:
            key = SignUp.key_for(resident.id, event.id)
            if db.session.scalar(select(SignUp.id).where(SignUp.active_key == key)) is not None:
                continue
            full = event.capacity is not None and event.going >= event.capacity
            db.session.add(
                SignUp(
                    event_id=event.id,
                    resident_id=resident.id,
                    signed_up_by_id=resident.id,
                    status=SignUpStatus.WAITING if full else SignUpStatus.GOING,
                    active_key=key,
                )
            )
            if not full:
                event.going += 1
            db.session.flush()
