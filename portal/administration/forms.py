from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from portal.accounts.labels import CARE_COLOURS
from portal.accounts.models import CareColour
from portal.administration.residents import Filters
from portal.web.forms import LocalDateField


class PartnerForm(FlaskForm):
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


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    person = StringField(
        _l("Person: name, mobile number or resident code"),
        validators=[Optional(), Length(max=40, message=_l("Type at most 40 characters."))],
    )
    start = LocalDateField(_l("From"), validators=[Optional()])
    end = LocalDateField(_l("To"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


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
