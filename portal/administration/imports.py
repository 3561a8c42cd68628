"""Residents from the community's own spreadsheet: its columns matched to what Linli records (and
remembered for the next file), every row checked and its problems put in words, and the good
rows imported when staff confirm. A row names a resident already on record by their resident
code, or by their name and date of birth: importing it again changes nothing, and a corrected
row changes that resident, never adds a second."""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select, update

from portal.accounts.models import CareColour, Person, Role, RoleGrant, Sex, administered_by
from portal.administration import residents
from portal.administration.labels import RESIDENT_FIELDS
from portal.administration.models import ImportColumns, ImportStatus, ResidentImport
from portal.administration.residents import Contact, Details
from portal.audit import services as audit
from portal.community.models import Building, Community, Grid
from portal.community.services import TOP_FLOOR, floor_of_room
from portal.extensions import db
from portal.model_base import utcnow
from portal.web import spreadsheets
from portal.web.phones import international_phone, is_valid_phone, normalise_phone, shown_phone


@dataclass(frozen=True)
class Column:
    """What Linli records that a spreadsheet column can hold: its key, the header an export
    writes (and an import reads back), its name on the page, and other headers offices use."""

    key: str
    header: str
    label: object
    names: tuple[str, ...] = ()


COLUMNS = (
    Column("resident_code", "居民编号", _l("Resident code"), ("编号", "resident code", "code")),
    Column("name", "姓名", _l("Name"), ("名字", "老人姓名", "居民姓名", "name")),
    Column(
        "birth_date",
        "出生日期",
        _l("Date of birth"),
        ("出生年月日", "出生年月", "生日", "出生", "date of birth", "birth date", "birthday"),
    ),
    Column("sex", "性别", _l("Sex"), ("sex", "gender")),
    Column("building", "楼栋", _l("Building"), ("楼号", "楼", "栋", "幢", "building")),
    Column("unit", "单元", _l("Unit"), ("unit",)),
    Column("room", "房号", _l("Room"), ("房间号", "房间", "门牌号", "室", "room")),
    Column("floor", "楼层", _l("Floor"), ("层", "floor")),
    Column(
        "phone",
        "手机",
        _l("Mobile number"),
        ("手机号", "手机号码", "联系电话", "电话", "mobile", "mobile number", "phone"),
    ),
    Column("landline", "座机", _l("Phone at home"), ("固定电话", "家庭电话", "landline")),
    Column(
        "special_support",
        "特困供养",
        _l("Special support (特困供养)"),
        ("特困", "特困人员", "special support"),
    ),
    Column("care_colour", "三色", _l("Care colour"), ("三色管理", "颜色", "care colour")),
    Column("care_colour_reason", "三色原因", _l("Why this care colour"), ("原因", "颜色原因")),
    Column("diet_notes", "饮食", _l("Diet notes for the kitchen"), ("饮食禁忌", "忌口", "diet")),
    Column(
        "contact_name",
        "紧急联系人",
        _l("Emergency contact"),
        ("联系人", "紧急联系人姓名", "emergency contact"),
    ),
    Column(
        "contact_relation",
        "与本人关系",
        _l("What they are to the resident"),
        ("关系", "联系人关系", "relation"),
    ),
    Column(
        "contact_phone",
        "紧急联系人电话",
        _l("Emergency contact's phone"),
        ("联系人电话", "紧急联系电话", "contact phone"),
    ),
)
KEYS = tuple(column.key for column in COLUMNS)
REQUIRED = ("name", "building")


def _normal(name: str) -> str:
    """A header as compared: full-width made plain, without spaces, required-marks or a note in
    brackets ("出生日期（年/月/日）")."""
    name = unicodedata.normalize("NFKC", name).lower()
    name = re.sub(r"\(.*?\)|\*|\s", "", name)
    return name


_NAMES = {
    _normal(name): column.key for column in COLUMNS for name in (column.header, *column.names)
}


def known(header: str) -> bool:
    return _normal(header) in _NAMES


def guess(header: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """{key: column index} for the columns of header: by the name each key was last imported
    with in this community, else by the names offices use; each column to one key at most."""
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    normal = [_normal(name) for name in header]
    for key, name in (remembered or {}).items():
        if key in KEYS and _normal(name) in normal:
            index = normal.index(_normal(name))
            if index not in taken:
                chosen[key] = index
                taken.add(index)
    for index, name in enumerate(normal):
        key = _NAMES.get(name)
        if key and key not in chosen and index not in taken:
            chosen[key] = index
            taken.add(index)
    return chosen


# Uploading ------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The file cannot be imported; nothing is kept."""


def upload(admin: Person, community: Community, filename: str, data: bytes) -> ResidentImport:
    """Keep the rows of a spreadsheet for admin to check and import into community; the columns
    are guessed, by this community's last import first. Raises spreadsheets.Unreadable."""
    if not admin.administers(community.id):
        raise residents.NotAdministered(community.id)
    rows = spreadsheets.read(filename, data)
    at = spreadsheets.header_row(rows, known)
    header = rows[at][1]
    body = [[line, row] for line, row in rows[at + 1 :]]
    if not body:
        raise spreadsheets.Unreadable("no rows")
    if len(body) > spreadsheets.MOST_ROWS:
        raise spreadsheets.TooManyRows(len(body))
    remembered = db.session.scalar(
        select(ImportColumns.columns).where(ImportColumns.community_id == community.id)
    )
    made = ResidentImport(
        community=community,
        uploaded_by=admin,
        filename=filename[-200:] or "residents",
        header=header,
        rows=body,
        columns=guess(header, remembered),
    )
    db.session.add(made)
    audit.record(
        admin,
        "resident.import_uploaded",
        file=made.filename,
        rows=len(body),
        community=community.name,
    )
    db.session.commit()
    return made


def imports_of(admin: Person, limit: int = 10) -> list[ResidentImport]:
    """The latest imports into the communities admin runs."""
    query = (
        select(ResidentImport)
        .where(administered_by(admin, ResidentImport.community_id))
        .order_by(ResidentImport.created_at.desc(), ResidentImport.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def choose_columns(admin: Person, made: ResidentImport, columns: dict[str, int | None]) -> None:
    """Use columns ({key: column index, or None for none}) to read made's rows."""
    made.columns = {
        key: index
        for key, index in columns.items()
        if key in KEYS and index is not None and 0 <= index < len(made.header)
    }
    db.session.commit()


# Reading a row --------------------------------------------------------------------------------

_SERIAL_DAY_ZERO = date(1899, 12, 30)  # Excel's day 0, counting its 1900 leap-year error
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
OLDEST = date(1900, 1, 1)


def read_date(text: str) -> date | None:
    """A date as registers write it: 1941-03-05, 1941/3/5, 1941.3.5, 1941年3月5日, 19410305, or
    an Excel serial day (15040). Raises ValueError for what is none of these or no real date."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    serial = re.fullmatch(r"(\d{1,5})(\.0+)?", text)
    if serial:
        return _SERIAL_DAY_ZERO + timedelta(days=int(serial.group(1)))
    found = _DATE.match(text)
    if found is None:
        raise ValueError(text)
    return date(*(int(part) for part in found.groups()))


_SEXES = {
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
}
_COLOURS = {
    **{word: CareColour.RED for word in ("红", "红色", "紅", "紅色", "red")},
    **{word: CareColour.YELLOW for word in ("黄", "黄色", "黃", "黃色", "yellow")},
    **{word: CareColour.GREEN for word in ("绿", "绿色", "綠", "綠色", "green")},
}
_YES = {"是", "有", "√", "✓", "y", "yes", "1", "true"}
_NO = {"否", "无", "無", "不是", "×", "n", "no", "0", "false"}


@dataclass
class Row:
    """A row of the file as the preview shows it: what it says, the resident it names (if on
    record), what would change, and its problems in words."""

    line: int
    cells: list[str]
    name: str
    details: Details | None = None
    resident: Person | None = None
    changes: list[str] = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.problems:
            return "problem"
        if self.resident is None:
            return "new"
        return "changed" if self.changes else "same"


@dataclass
class Check:
    rows: list[Row]

    def of(self, status: str) -> list[Row]:
        return [row for row in self.rows if row.status == status]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "changed": 0, "same": 0, "problem": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


class _Places:
    """A community's buildings, found as registers name them: "3号楼", "3栋", "3幢" or "3"."""

    def __init__(self, community_id: int):
        self.buildings = list(
            db.session.scalars(
                select(Building)
                .join(Grid, Grid.id == Building.grid_id)
                .where(Grid.community_id == community_id)
            )
        )
        self.by_name = {_normal(b.name): b for b in self.buildings}
        numbered: dict[str, list[Building]] = {}
        for building in self.buildings:
            digits = re.findall(r"\d+", unicodedata.normalize("NFKC", building.name))
            if len(digits) == 1:
                numbered.setdefault(digits[0].lstrip("0"), []).append(building)
        self.by_number = {n: found[0] for n, found in numbered.items() if len(found) == 1}

    def find(self, text: str) -> Building | None:
        found = self.by_name.get(_normal(text))
        if found is not None:
            return found
        digits = re.fullmatch(r"0*(\d+)\s*(号楼|号|栋|幢|座|楼)?", text.strip())
        return self.by_number.get(digits.group(1)) if digits else None


def _cell(made: ResidentImport, cells: list[str], key: str) -> str | None:
    """The row's text for key; None when no column holds key (and the record keeps its own)."""
    index = made.columns.get(key)
    if index is None:
        return None
    return cells[index] if index < len(cells) else ""


def _recorded(person: Person) -> Details:
    return Details(
        name=person.name,
        building_id=person.building_id,
        birth_date=person.birth_date,
        sex=person.sex,
        unit=person.unit,
        room=person.room,
        floor=person.floor,
        phone=person.phone,
        landline=person.landline,
        special_support=person.special_support,
        care_colour=person.care_colour,
        care_colour_reason=person.care_colour_reason,
        diet_notes=person.diet_notes,
        language=person.language,
        contacts=[Contact(c.name, c.relation, c.phone) for c in person.emergency_contacts],
    )


# The details a row can change, as the preview names them.
_CHANGEABLE = (
    "name",
    "birth_date",
    "sex",
    "building_id",
    "unit",
    "room",
    "floor",
    "phone",
    "landline",
    "special_support",
    "care_colour",
    "diet_notes",
    "contacts",
)


def _changes(before: Details, after: Details) -> list[str]:
    return [
        str(RESIDENT_FIELDS[name])
        for name in _CHANGEABLE
        if getattr(before, name) != getattr(after, name)
    ]


def _text_problem(value: str, most: int, label) -> object | None:
    if len(value) > most:
        return _l("%(what)s has more than %(most)s characters.", what=label, most=most)
    return None


class _Reader:
    """Reads the rows of one import against the community's records as they are now."""

    def __init__(self, made: ResidentImport, today: date):
        self.made = made
        self.today = today
        self.places = _Places(made.community_id)
        people = db.session.scalars(
            select(Person)
            .join(
                RoleGrant, and_(RoleGrant.person_id == Person.id, RoleGrant.role == Role.RESIDENT)
            )
            .where(Person.community_id == made.community_id, Person.anonymised_at.is_(None))
            .options(db.selectinload(Person.emergency_contacts))
        ).all()
        self.by_code = {p.resident_code: p for p in people if p.resident_code}
        self.by_name: dict[str, list[Person]] = {}
        for person in people:
            self.by_name.setdefault(person.name, []).append(person)
        self.seen_people: dict[int, int] = {}  # resident id → line that named them
        self.seen_new: dict[tuple, int] = {}  # (name, birth date) of a new resident → its line
        self.seen_phones: dict[str, int] = {}  # mobile number → line that gave it
        # Whose each mobile number in the file is, if anyone's: one query for the whole file.
        typed = {normalise_phone(_cell(made, cells, "phone") or "") for _line, cells in made.rows}
        typed.discard("")
        self.holders = {
            person.phone: person
            for person in db.session.scalars(select(Person).where(Person.phone.in_(typed)))
        }

    def read(self, line: int, cells: list[str]) -> Row:
        made = self.made
        name = (_cell(made, cells, "name") or "").strip()
        row = Row(line=line, cells=cells, name=name)
        problems = row.problems
        if not name:
            problems.append(_l("The name is missing."))
        elif problem := _text_problem(name, 80, _l("The name")):
            problems.append(problem)

        birth_date = None
        birth_text = _cell(made, cells, "birth_date")
        if birth_text:
            try:
                birth_date = read_date(birth_text)
            except ValueError:
                problems.append(
                    _l("“%(text)s” is not a date of birth, like 1941-03-05.", text=birth_text)
                )
            else:
                if not OLDEST <= birth_date <= self.today:
                    problems.append(
                        _l("“%(text)s” is not a possible date of birth.", text=birth_text)
                    )
                    birth_date = None

        resident = self._match(row, _cell(made, cells, "resident_code"), name, birth_date)
        details = _recorded(resident) if resident else Details(name=name, building_id=0)
        details = replace(details, name=name or details.name, contacts=list(details.contacts))
        if birth_text is not None and birth_date is not None:
            details.birth_date = birth_date
        elif birth_text == "":
            details.birth_date = None

        self._place(row, details, cells, resident)
        self._phones(row, details, cells, resident)
        self._statuses(row, details, cells, resident)
        if not problems:
            row.details = details
            row.resident = resident
            if resident is not None:
                row.changes = _changes(_recorded(resident), details)
                self.seen_people[resident.id] = line
            if details.phone:
                self.seen_phones[details.phone] = line
        return row

    def _match(
        self, row: Row, code: str | None, name: str, birth_date: date | None
    ) -> Person | None:
        """The resident on record the row names, or None for a new one; problems when it names
        one it cannot be, or one it may be."""
        found = None
        if code:
            found = self.by_code.get(code.strip().upper())
            if found is None:
                row.problems.append(
                    _l("No resident of the community has the code %(code)s.", code=code)
                )
                return None
        elif name:
            namesakes = self.by_name.get(name, [])
            if birth_date is not None:
                found = next((p for p in namesakes if p.birth_date == birth_date), None)
            elif namesakes:
                shown = "、".join(f"{p.name} ({p.resident_code})" for p in namesakes)
                row.problems.append(
                    _l(
                        "May be %(people)s already on record: give the date of birth or the resident code.",
                        people=shown,
                    )
                )
                return None
        if found is not None and found.id in self.seen_people:
            row.problems.append(
                _l(
                    "Line %(line)s is the same resident already.",
                    line=self.seen_people[found.id],
                )
            )
            return None
        if found is None and name and birth_date is not None:
            earlier = self.seen_new.setdefault((name, birth_date), row.line)
            if earlier != row.line:
                row.problems.append(_l("Line %(line)s is the same resident already.", line=earlier))
        return found

    def _place(self, row: Row, details: Details, cells: list[str], resident) -> None:
        made = self.made
        building_text = _cell(made, cells, "building")
        if building_text is not None:
            if not building_text:
                row.problems.append(_l("The building is missing."))
            else:
                building = self.places.find(building_text)
                if building is None:
                    row.problems.append(
                        _l("The community has no building “%(text)s”.", text=building_text)
                    )
                else:
                    details.building_id = building.id
        elif resident is None:
            row.problems.append(_l("The building is missing."))
        for key, most in (("unit", 20), ("room", 20)):
            text = _cell(made, cells, key)
            if text is not None:
                problem = _text_problem(text, most, RESIDENT_FIELDS[key])
                if problem:
                    row.problems.append(problem)
                setattr(details, key, text or None)
        floor_text = _cell(made, cells, "floor")
        if floor_text:
            digits = re.fullmatch(r"(\d{1,2})\s*(楼|层|f|F)?", floor_text)
            if digits and 1 <= int(digits.group(1)) <= TOP_FLOOR:
                details.floor = int(digits.group(1))
            else:
                row.problems.append(
                    _l(
                        "“%(text)s” is not a floor from 1 to %(top)s.",
                        text=floor_text,
                        top=TOP_FLOOR,
                    )
                )
        elif floor_text == "" or _cell(made, cells, "room") is not None or resident is None:
            # Without a floor of its own, the row's floor is the one its room number names.
            details.floor = floor_of_room(details.room)

    def _phones(self, row: Row, details: Details, cells: list[str], resident) -> None:
        made = self.made
        mobile = _cell(made, cells, "phone")
        if mobile is not None:
            phone = normalise_phone(mobile) if mobile else None
            if phone and not is_valid_phone(phone):
                row.problems.append(
                    _l(
                        "“%(text)s” is not a mobile number of 11 digits, like 138 0013 8000.",
                        text=mobile,
                    )
                )
            elif phone:
                holder = self.holders.get(phone)
                if holder is not None and holder is not resident:
                    row.problems.append(
                        _l(
                            "The mobile number %(phone)s belongs to another account: %(name)s.",
                            phone=mobile,
                            name=holder.name,
                        )
                    )
                elif phone in self.seen_phones:
                    row.problems.append(
                        _l(
                            "Line %(line)s has the same mobile number.",
                            line=self.seen_phones[phone],
                        )
                    )
            details.phone = phone
        landline = _cell(made, cells, "landline")
        if landline is not None:
            number = international_phone(landline) if landline else None
            if landline and number is None:
                row.problems.append(
                    _l(
                        "“%(text)s” is not a phone number with its area code, like 010 8555 1234.",
                        text=landline,
                    )
                )
            details.landline = number
        contact = [
            _cell(made, cells, key) for key in ("contact_name", "contact_relation", "contact_phone")
        ]
        if any(value is not None for value in contact):
            name, relation, phone_text = (value or "" for value in contact)
            number = international_phone(phone_text) if phone_text else None
            if phone_text and number is None:
                row.problems.append(
                    _l("“%(text)s” is not a phone number anyone could call.", text=phone_text)
                )
            elif bool(name) != bool(number):
                row.problems.append(
                    _l("An emergency contact needs both a name and a phone number.")
                )
            rest = details.contacts[1:]
            details.contacts = ([Contact(name, relation, number)] if name and number else []) + rest

    def _statuses(self, row: Row, details: Details, cells: list[str], resident) -> None:
        made = self.made
        sex = _cell(made, cells, "sex")
        if sex is not None:
            details.sex = _SEXES.get(sex.lower()) if sex else None
            if sex and details.sex is None:
                row.problems.append(_l("“%(text)s” is not a sex: write 男 or 女.", text=sex))
        support = _cell(made, cells, "special_support")
        if support is not None:
            word = support.lower()
            if word and word not in _YES | _NO:
                row.problems.append(
                    _l(
                        "“%(text)s” does not say yes or no to special support: write 是 or 否.",
                        text=support,
                    )
                )
            details.special_support = word in _YES
        colour = _cell(made, cells, "care_colour")
        if colour is not None:
            chosen = _COLOURS.get(colour.lower()) if colour else None
            if colour and chosen is None:
                row.problems.append(
                    _l("“%(text)s” is not a care colour: write 红, 黄 or 绿.", text=colour)
                )
            reason = _cell(made, cells, "care_colour_reason")
            if chosen != details.care_colour:
                details.care_colour_reason = reason or (
                    _("From the spreadsheet %(file)s", file=made.filename) if chosen else None
                )
            elif reason:
                details.care_colour_reason = reason
            details.care_colour = chosen
        diet = _cell(made, cells, "diet_notes")
        if diet is not None:
            problem = _text_problem(diet, 200, RESIDENT_FIELDS["diet_notes"])
            if problem:
                row.problems.append(problem)
            details.diet_notes = diet or None


def check(made: ResidentImport, today: date) -> Check:
    """Every row of made read against the records as they are now; nothing is saved."""
    missing = [key for key in REQUIRED if key not in made.columns]
    if missing:
        return Check([])
    reader = _Reader(made, today)
    return Check([reader.read(line, cells) for line, cells in made.rows])


def missing_columns(made: ResidentImport) -> list:
    """The names of the columns a file must have and made does not use."""
    names = {column.key: column.label for column in COLUMNS}
    return [names[key] for key in REQUIRED if key not in made.columns]


# Importing ------------------------------------------------------------------------------------


class AlreadyImported(ImportRefused):
    pass


class ChangedMeanwhile(ImportRefused):
    """A record changed between the check and the import (a number taken): check again."""


def run(admin: Person, made: ResidentImport, today: date) -> dict[str, int]:
    """Import the rows of made that have no problem, all in one transaction: new residents
    enrolled, changed ones recorded (each audited), the rest left alone. Once only: a second
    run, or one at the same moment, raises AlreadyImported. Returns the counts."""
    if not admin.administers(made.community_id):
        raise residents.NotAdministered(made.community_id)
    claimed = db.session.execute(
        update(ResidentImport)
        .where(ResidentImport.id == made.id, ResidentImport.status == ImportStatus.CHECKING)
        .values(status=ImportStatus.IMPORTED, imported_at=utcnow())
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise AlreadyImported(made.id)
    checked = check(made, today)
    source = {"import": made.filename}
    added: list[int] = []
    try:
        for row in checked.rows:
            if row.status == "new":
                added.append(residents.add(admin, row.details, **source).id)
            elif row.status == "changed":
                residents.record(admin, row.resident, row.details, **source)
    except residents.ResidentError as error:
        db.session.rollback()
        raise ChangedMeanwhile(made.id) from error
    counts = checked.counts
    made.counts = {
        "added": counts["new"],
        "changed": counts["changed"],
        "same": counts["same"],
        "problems": counts["problem"],
    }
    made.added_ids = added
    remembered = db.session.scalar(
        select(ImportColumns).where(ImportColumns.community_id == made.community_id)
    )
    if remembered is None:
        remembered = ImportColumns(community_id=made.community_id)
        db.session.add(remembered)
    remembered.columns = {key: made.header[index] for key, index in made.columns.items()}
    audit.record(admin, "resident.imported", file=made.filename, **made.counts)
    db.session.commit()
    return made.counts


def problem_report(made: ResidentImport, rows: list[Row]) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a spreadsheet of the rows that were not imported, each with its
    line and its problems, to correct and import again."""
    header = [_("Line"), *made.header, _("Problems")]
    body = [
        [str(row.line), *row.cells, "; ".join(str(problem) for problem in row.problems)]
        for row in rows
        if row.problems
    ]
    return header, body


# Slips for the residents an import added ----------------------------------------------------


def issue_slips(admin: Person, made: ResidentImport) -> list[tuple[Person, str]]:
    """A PIN for every resident made enrolled who is still here and has none yet, in one
    transaction: [(resident, PIN)] to print now, shown this once."""
    if not admin.administers(made.community_id):
        raise residents.NotAdministered(made.community_id)
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(made.added_ids or [0]), Person.pin_hash.is_(None))
        .where(Person.active.is_(True))
        .order_by(Person.building_id, Person.unit, Person.room, Person.id)
    ).all()
    slips = [(person, residents.new_pin(admin, person)) for person in people]
    db.session.commit()
    return slips


# Exporting ------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


_COLOUR_WORDS = {CareColour.RED: "红", CareColour.YELLOW: "黄", CareColour.GREEN: "绿"}
_SEX_WORDS = {Sex.MALE: "男", Sex.FEMALE: "女"}


def export_rows(people: list[Person]) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a resident list in the columns an import reads back."""
    header = [column.header for column in COLUMNS]
    rows = []
    for person in people:
        contact = person.emergency_contacts[0] if person.emergency_contacts else None
        values = {
            "resident_code": person.resident_code or "",
            "name": person.name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "sex": _SEX_WORDS.get(person.sex, ""),
            "building": person.building.name if person.building else "",
            "unit": person.unit or "",
            "room": person.room or "",
            "floor": str(person.floor) if person.floor else "",
            "phone": person.phone or "",
            "landline": shown_phone(person.landline),
            "special_support": _yes_no(person.special_support),
            "care_colour": _COLOUR_WORDS.get(person.care_colour, ""),
            "care_colour_reason": person.care_colour_reason or "",
            "diet_notes": person.diet_notes or "",
            "contact_name": contact.name if contact else "",
            "contact_relation": (contact.relation or "") if contact else "",
            "contact_phone": shown_phone(contact.phone) if contact else "",
        }
        rows.append([values[key] for key in KEYS])
    return header, rows
