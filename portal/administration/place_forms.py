"""The forms admins keep their places with: communities, grids and buildings."""

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.administration.places import BuildingDetails
from portal.community.models import Building, Grid
from portal.community.services import TOP_FLOOR
from portal.config import DEFAULT_TIMEZONE
from portal.web.forms import FloorField, WholeNumberField

MOST_UNITS = 30


def _stripped(value):
    return value.strip() if value else value


def _name(label, required_message) -> StringField:
    return StringField(
        label,
        filters=[_stripped],
        validators=[
            DataRequired(required_message),
            Length(max=80, message=_l("A name has at most 80 characters.")),
        ],
    )


class CommunityForm(FlaskForm):
    """A community's name and hotline; its street office and time zone when it is new."""

    name = _name(_l("Community name"), _l("Enter the community's name, like 幸福里社区."))
    hotline = StringField(
        _l("Hotline"),
        filters=[_stripped],
        validators=[
            InputRequired(_l("Enter the community office's phone number.")),
            Regexp(
                r"^[0-9+\-\s]{3,20}$",
                message=_l("Enter a phone number: digits, spaces and dashes."),
            ),
        ],
    )
    street_office = SelectField(_l("Street office"), coerce=int, validators=[Optional()])
    timezone = StringField(
        _l("Time zone"), filters=[_stripped], default=DEFAULT_TIMEZONE, validators=[Optional()]
    )

    def __init__(self, offices=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.street_office.choices = [SelectChoice(o.id, o.name) for o in offices]

    def validate_timezone(self, field):
        if field.data and field.data not in available_timezones():
            raise ValidationError(_l("Enter a time zone such as %(zone)s.", zone=DEFAULT_TIMEZONE))


class GridForm(FlaskForm):
    name = _name(_l("Grid name"), _l("Enter the grid's name, like 第一网格."))


class MergeForm(FlaskForm):
    """The grid another is merged into."""

    into = SelectField(
        _l("Merge into"),
        coerce=int,
        validators=[InputRequired(_l("Choose the grid to merge this one into."))],
    )

    def __init__(self, grids: list[Grid], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.into.choices = [
            SelectChoice(grid.id, grid.name) for grid in sorted(grids, key=lambda g: g.id)
        ]


class MoveForm(FlaskForm):
    """The building a building's residents move to."""

    into = SelectField(
        _l("Move them to"),
        coerce=int,
        validators=[InputRequired(_l("Choose the building they move to."))],
    )

    def __init__(self, buildings: list[Building], *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list[SelectChoice]] = {}
        for building in buildings:
            groups.setdefault(building.grid.name, []).append(
                SelectChoice(building.id, building.name)
            )
        self.into.choices = groups


def _address(label) -> StringField:
    return StringField(
        label,
        filters=[_stripped],
        validators=[Optional(), Length(max=200, message=_l("Type at most 200 characters."))],
    )


class BuildingForm(FlaskForm):
    name = _name(_l("Building name"), _l("Enter the building's name, like 3号楼."))
    grid = SelectField(
        _l("Grid"),
        coerce=int,
        validators=[InputRequired(_l("Choose the grid the building is in."))],
    )
    units = WholeNumberField(_l("Units (单元)"), validators=[Optional()])
    floors = FloorField(_l("Floors"), validators=[Optional()])
    has_lift = RadioField(
        _l("Lift"),
        choices=[SelectChoice("yes", _l("Has a lift")), SelectChoice("no", _l("No lift"))],
        default="no",
        validators=[InputRequired(_l("Say whether the building has a lift."))],
    )
    address_zh_hans = _address(_l("Address in simplified Chinese"))
    address_zh_hant = _address(_l("Address in traditional Chinese"))
    address_en = _address(_l("Address in English"))

    def __init__(self, grids: list[Grid], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid.choices = [SelectChoice(grid.id, grid.name) for grid in grids]

    @classmethod
    def of(cls, grids: list[Grid], building: Building, **kwargs) -> "BuildingForm":
        data = {
            name: getattr(building, name)
            for name in ("name", "units", "floors", "address_zh_hans", "address_zh_hant")
        }
        data.update(
            grid=building.grid_id,
            has_lift="yes" if building.has_lift else "no",
            address_en=building.address_en,
        )
        return cls(grids, data=data, **kwargs)

    def validate_units(self, field):
        if field.data is not None and not 1 <= field.data <= MOST_UNITS:
            raise ValidationError(_l("Enter from 1 to %(most)s units.", most=MOST_UNITS))

    def validate_floors(self, field):
        if field.data is not None and not 1 <= field.data <= TOP_FLOOR:
            raise ValidationError(_l("Enter from 1 to %(top)s floors.", top=TOP_FLOOR))

    def details(self) -> BuildingDetails:
        return BuildingDetails(
            name=self.name.data,
            grid_id=self.grid.data,
            has_lift=self.has_lift.data == "yes",
            units=self.units.data,
            floors=self.floors.data,
            address_zh_hans=self.address_zh_hans.data,
            address_zh_hant=self.address_zh_hant.data,
            address_en=self.address_en.data,
        )
