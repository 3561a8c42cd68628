from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.accounts.forms import resident_code_field
from portal.accounts.labels import CARE_CADENCES, CARE_COLOURS, LEAVINGS, SEXES
from portal.accounts.models import CareColour, Person
from portal.administration import imports
from portal.administration.labels import PARTNER_KINDS
from portal.administration.residents import Contact, Details, Filters
from portal.administration.retention import RETENTION_MOST_MONTHS
from portal.audit import services as audit
from portal.community.models import Building, PartnerKind, today_in
from portal.community.services import TOP_FLOOR, floor_of_room
from portal.config import DEFAULT_TIMEZONE
from portal.web.forms import (
    AnyPhone,
    Checkboxes,
    FloorField,
    LocalDateField,
    MonthsField,
    Phone,
)
from portal.web.i18n import NATIVE_NAMES
from portal.web.phones import international_phone, normalise_phone, shown_phone

UPLOAD_MOST_BYTES = 5 * 1024 * 1024


class PartnerForm(FlaskForm):
    kind = SelectField(
        _l("What sort of partner"),
        choices=[SelectChoice(kind.value, label) for kind, label in PARTNER_KINDS.items()],
        default=PartnerKind.PROPERTY.value,
        validators=[InputRequired(_l("Choose what sort of partner it is."))],
        render_kw={"required": False},
    )
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the partner's name, for example the property company.")),
            Length(max=80, message=_l("A name has at most 80 characters.")),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Regexp(
                r"^[0-9+\-\s]{3,20}$",
                message=_l("Enter a phone number: digits, spaces and dashes."),
            ),
        ],
    )


class ServedForm(FlaskForm):
    """The communities of the street a partner serves besides its own."""

    communities = Checkboxes(_l("It also serves"), coerce=int, validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    person = StringField(
        _l("Person: name, mobile number or resident code"),
        validators=[Optional(), Length(max=40, message=_l("Type at most 40 characters."))],
    )
    start = LocalDateField(_l("From"), validators=[Optional()])
    end = LocalDateField(_l("To"), validators=[Optional()])
    area = SelectField(_l("Kind"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice("", _l("Every kind"))] + [
            SelectChoice(prefix, title) for prefix, title in audit.areas().items()
        ]

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class ActForForm(FlaskForm):
    """Find the resident who asked, by the code on their slip, to act for them."""

    class Meta:
        csrf = False  # finding someone changes nothing

    code = resident_code_field()


class ResidentSearchForm(FlaskForm):
    """Find residents: by what staff know of them, narrowed by grid, care colour, support and
    whether they still live here."""

    class Meta:
        csrf = False  # a search changes nothing

    q = StringField(
        _l("Name, pinyin, resident code, phone, building or room"),
        validators=[Optional(), Length(max=40, message=_l("Type at most 40 characters."))],
    )
    grid = SelectField(_l("Grid"), validators=[Optional()])
    care = SelectField(
        _l("Care colour"),
        choices=[SelectChoice("", _l("Any colour"))]
        + [SelectChoice(colour, name) for colour, name in CARE_COLOURS.items()],
        validators=[Optional()],
    )
    support = SelectField(
        _l("Special support (特困供养)"),
        choices=[
            SelectChoice("", _l("Either")),
            SelectChoice("yes", _l("Yes")),
            SelectChoice("no", _l("No")),
        ],
        validators=[Optional()],
    )
    # Not "status": that is the id of every page's status region.
    state = SelectField(
        _l("Who"),
        choices=[
            SelectChoice("active", _l("Living here")),
            SelectChoice("inactive", _l("No longer active")),
            SelectChoice("all", _l("Everyone")),
        ],
        default="active",
    )

    def __init__(self, grids: list[tuple[int, str]], *args, **kwargs):
        """grids: (id, name) of each grid the reader may choose."""
        super().__init__(*args, **kwargs)
        self.grid.choices = [SelectChoice("", _l("All grids"))] + [
            SelectChoice(str(grid_id), name) for grid_id, name in grids
        ]

    def filters(self) -> Filters:
        return Filters(
            text=self.q.data or "",
            grid_id=int(self.grid.data) if self.grid.data else None,
            care_colour=CareColour(self.care.data) if self.care.data else None,
            special_support={"yes": True, "no": False}.get(self.support.data or ""),
            active={"active": True, "inactive": False}.get(self.state.data or "active"),
        )


class ContactForm(Form):
    """One emergency contact; both the name and the number, or neither."""

    contact_name = StringField(
        _l("Name"), validators=[Length(max=80, message=_l("A name has at most 80 characters."))]
    )
    relation = StringField(
        _l("What they are to the resident"),
        validators=[Optional(), Length(max=40, message=_l("Type at most 40 characters."))],
    )
    phone = StringField(_l("Phone number"), validators=[AnyPhone()])

    def validate_contact_name(self, field):
        if self.phone.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter whom this number belongs to."))

    def validate_phone(self, field):
        if (self.contact_name.data or "").strip() and not field.data:
            raise ValidationError(_l("Enter the contact's phone number."))


CONTACTS = 3  # emergency contacts a resident may have


class ResidentForm(FlaskForm):
    """What the office records of a resident, to enrol them or change it."""

    name = StringField(
        _l("Name"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(_l("Enter the resident's name.")),
            Length(max=80, message=_l("A name has at most 80 characters.")),
        ],
    )
    birth_date = LocalDateField(_l("Date of birth"), validators=[Optional()])
    sex = SelectField(
        _l("Sex"),
        choices=[SelectChoice("", _l("Not recorded"))]
        + [SelectChoice(sex, name) for sex, name in SEXES.items()],
        validators=[Optional()],
    )
    # Without an empty first option, HTML forbids "required" on a select; the server checks it.
    building = SelectField(
        _l("Building"),
        coerce=int,
        validators=[InputRequired(_l("Choose the building the resident lives in."))],
        render_kw={"required": False},
    )
    unit = StringField(
        _l("Unit"),
        validators=[Optional(), Length(max=20, message=_l("Type at most 20 characters."))],
    )
    room = StringField(
        _l("Room"),
        validators=[Optional(), Length(max=20, message=_l("Type at most 20 characters."))],
    )
    floor = FloorField(_l("Floor"), validators=[Optional()])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Phone()])
    landline = StringField(_l("Phone at home"), validators=[Optional(), AnyPhone()])
    special_support = BooleanField(_l("Special support (特困供养)"))
    care_colour = SelectField(
        _l("Care colour"),
        choices=[SelectChoice("", _l("None yet"))]
        + [SelectChoice(colour, name) for colour, name in CARE_CADENCES.items()],
        validators=[Optional()],
    )
    care_colour_reason = StringField(
        _l("Why this care colour"),
        validators=[Length(max=200, message=_l("Type at most 200 characters."))],
    )
    diet_notes = StringField(
        _l("Diet notes for the kitchen"),
        validators=[Optional(), Length(max=200, message=_l("Type at most 200 characters."))],
    )
    language = SelectField(
        _l("Language at the kiosk"),
        choices=[SelectChoice("", _l("As the kiosk is set"))]
        + [SelectChoice(code, name) for code, name in NATIVE_NAMES.items()],
        validators=[Optional()],
    )
    contacts = FieldList(FormField(ContactForm), min_entries=CONTACTS, max_entries=CONTACTS)

    def __init__(self, buildings: list[Building], current_colour: str | None, *args, **kwargs):
        """buildings: where the resident may live; current_colour: their care colour before."""
        super().__init__(*args, **kwargs)
        self.current_colour = current_colour
        several = len({b.grid.community_id for b in buildings}) > 1
        groups: dict[str, list[SelectChoice]] = {}
        for building in buildings:
            grid = building.grid
            group = f"{grid.community.name} · {grid.name}" if several else grid.name
            groups.setdefault(group, []).append(SelectChoice(building.id, building.name))
        self.building.choices = groups

    def validate_birth_date(self, field):
        if field.data and field.data > today_in(DEFAULT_TIMEZONE):
            raise ValidationError(_l("A date of birth cannot be in the future."))

    def validate_floor(self, field):
        if field.data is not None and not 1 <= field.data <= TOP_FLOOR:
            raise ValidationError(_l("Enter a floor from 1 to %(top)s.", top=TOP_FLOOR))

    def validate_care_colour_reason(self, field):
        chosen = self.care_colour.data
        if (
            chosen in CARE_COLOURS
            and chosen != self.current_colour
            and not (field.data or "").strip()
        ):
            raise ValidationError(
                _l(
                    "Say why the care colour is %(colour)s: for example, lives alone since March.",
                    colour=CARE_COLOURS[chosen],
                )
            )

    def details(self) -> Details:
        def text(field) -> str | None:
            return (field.data or "").strip() or None

        room = text(self.room)
        return Details(
            name=self.name.data.strip(),
            building_id=self.building.data,
            birth_date=self.birth_date.data,
            sex=self.sex.data or None,
            unit=text(self.unit),
            room=room,
            floor=self.floor.data if self.floor.data is not None else floor_of_room(room),
            phone=normalise_phone(self.phone.data) if self.phone.data else None,
            landline=international_phone(self.landline.data),
            special_support=self.special_support.data,
            care_colour=self.care_colour.data or None,
            care_colour_reason=text(self.care_colour_reason),
            diet_notes=text(self.diet_notes),
            language=self.language.data or None,
            contacts=[
                Contact(
                    name=entry.contact_name.data.strip(),
                    relation=(entry.relation.data or "").strip(),
                    phone=international_phone(entry.phone.data),
                )
                for entry in self.contacts
                if (entry.contact_name.data or "").strip()
            ],
        )

    @classmethod
    def of(cls, resident: Person, buildings: list[Building]) -> "ResidentForm":
        """The form to change resident, filled with what is recorded (a sent form keeps what was
        sent)."""
        recorded = {
            name: getattr(resident, name)
            for name in ("name", "birth_date", "unit", "room", "floor", "phone", "special_support")
        }
        recorded |= {
            name: getattr(resident, name) or ""
            for name in ("sex", "care_colour", "care_colour_reason", "diet_notes", "language")
        }
        recorded["building"] = resident.building_id
        recorded["landline"] = shown_phone(resident.landline)
        contacts = [
            {"contact_name": c.name, "relation": c.relation, "phone": shown_phone(c.phone)}
            for c in resident.emergency_contacts
        ]
        recorded["contacts"] = contacts + [{}] * (CONTACTS - len(contacts))
        return cls(buildings, resident.care_colour, data=recorded)


class LeavingForm(FlaskForm):
    """Why a resident left home, and on which day."""

    reason = RadioField(
        _l("Why"),
        choices=[SelectChoice(reason, name) for reason, name in LEAVINGS.items()],
        validators=[InputRequired(_l("Choose why the resident left."))],
    )
    day = LocalDateField(
        _l("On which day"), validators=[InputRequired(_l("Enter the day they left."))]
    )


class RetentionForm(FlaskForm):
    """How many months a street office keeps the details of residents who moved out or died."""

    months = MonthsField(
        _l("Months to keep them"),
        validators=[InputRequired(_l("Enter a number of months, like 36."))],
    )

    def validate_months(self, field):
        if field.data is not None and not 1 <= field.data <= RETENTION_MOST_MONTHS:
            raise ValidationError(
                _l("Enter from 1 to %(most)s months.", most=RETENTION_MOST_MONTHS)
            )


class UploadForm(FlaskForm):
    """A spreadsheet of residents, and the community it is of when the admin runs several."""

    file = FileField(
        _l("The spreadsheet (XLSX or CSV)"),
        validators=[
            FileRequired(_l("Choose the spreadsheet to import.")),
            FileAllowed(
                ["xlsx", "csv", "txt"],
                _l(
                    "Choose an Excel workbook (.xlsx) or a CSV file. Save an .xls file as .xlsx first."
                ),
            ),
            FileSize(
                UPLOAD_MOST_BYTES,
                message=_l("The file is larger than 5 MB: import it in parts."),
            ),
        ],
    )
    community = SelectField(_l("Community"), coerce=int, validators=[Optional()])

    def __init__(self, communities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.community.choices = [SelectChoice(c.id, c.name) for c in communities]


def columns_form(header: list[str], chosen: dict[str, int], formdata=None) -> FlaskForm:
    """A select per thing Linli records, naming the file's column that holds it, or none."""

    class ColumnsForm(FlaskForm):
        pass

    choices = [SelectChoice("", _l("Not in the file"))] + [
        SelectChoice(str(index), name or _l("Column %(number)s", number=index + 1))
        for index, name in enumerate(header)
    ]
    for column in imports.COLUMNS:
        required = column.key in imports.REQUIRED
        setattr(
            ColumnsForm,
            column.key,
            SelectField(
                column.label,
                choices=choices,
                validators=[InputRequired(_l("Choose the column that holds this."))]
                if required
                else [Optional()],
                render_kw={"required": False},
            ),
        )

    def validate(self, extra_validators=None):
        if not FlaskForm.validate(self, extra_validators):
            return False
        used: dict[str, str] = {}
        for column in imports.COLUMNS:
            value = self[column.key].data
            if value and value in used:
                self[column.key].errors.append(
                    _l("This column is chosen for %(other)s already.", other=used[value])
                )
            elif value:
                used[value] = str(column.label)
        return not any(self[column.key].errors for column in imports.COLUMNS)

    ColumnsForm.validate = validate
    data = {key: str(index) for key, index in chosen.items()}
    return ColumnsForm(formdata=formdata, data=data)
