"""The forms admins keep their staff with: an account's roles and grids, a backup's dates, and
the check before a one-time code goes to a family member."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.accounts.labels import ROLE_NAMES
from portal.accounts.models import Role
from portal.administration.staff import GRID_ROLES, STAFF_ROLES, Staffing
from portal.web.forms import Checkboxes, LocalDateField, Phone
from portal.web.phones import normalise_phone


class PartnerPersonForm(FlaskForm):
    """A new account's name and the mobile it signs in with: for someone of a partner, and
    the start of a staff account."""

    name = StringField(
        _l("Name"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(_l("Enter the person's name.")),
            Length(max=80, message=_l("A name has at most 80 characters.")),
        ],
    )
    phone = StringField(
        _l("Mobile number"),
        validators=[InputRequired(_l("Enter their mobile number: they sign in with it.")), Phone()],
    )

    def normalised_phone(self) -> str:
        return normalise_phone(self.phone.data)


class StaffForm(PartnerPersonForm):
    """Roles, and the grids a grid worker or volunteer serves; a new account's name and phone."""

    roles = Checkboxes(
        _l("Roles"),
        choices=[SelectChoice(role.value, ROLE_NAMES[role]) for role in STAFF_ROLES],
    )
    worker_grids = Checkboxes(_l("Grids they serve as grid worker"), coerce=int)
    volunteer_grids = Checkboxes(_l("Grids they serve as volunteer"), coerce=int)

    def __init__(self, grids, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice(grid.id, grid.name) for grid in grids]
        self.worker_grids.choices = choices
        self.volunteer_grids.choices = choices
        if not new:
            del self.name
            del self.phone

    @classmethod
    def of(cls, grids, person) -> "StaffForm":
        lasting = [grant for grant in person.grants if not grant.is_backup]
        return cls(
            grids,
            new=False,
            data={
                "roles": sorted({g.role for g in lasting if g.role in STAFF_ROLES}),
                "worker_grids": [g.grid_id for g in lasting if g.role == Role.GRID_WORKER],
                "volunteer_grids": [g.grid_id for g in lasting if g.role == Role.VOLUNTEER],
            },
        )

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))

    def validate_worker_grids(self, field):
        if Role.GRID_WORKER.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("Choose the grids a grid worker serves."))

    def validate_volunteer_grids(self, field):
        if Role.VOLUNTEER.value in (self.roles.data or []) and not field.data:
            raise ValidationError(_l("Choose the grids a volunteer serves."))

    def staffing(self) -> Staffing:
        roles = {Role(role) for role in self.roles.data}
        grids = {
            Role.GRID_WORKER: set(self.worker_grids.data or []),
            Role.VOLUNTEER: set(self.volunteer_grids.data or []),
        }
        return Staffing(roles, {role: grids[role] for role in GRID_ROLES if role in roles})


class BackupForm(FlaskForm):
    """A grid whose queue the person takes while its worker is away, and when."""

    grid = SelectField(_l("Grid"), coerce=int, validators=[InputRequired(_l("Choose the grid."))])
    starts_on = LocalDateField(
        _l("From"), validators=[InputRequired(_l("Enter the first day they stand in."))]
    )
    ends_on = LocalDateField(
        _l("Until"), validators=[InputRequired(_l("Enter the last day they stand in."))]
    )

    def __init__(self, grids, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid.choices = [SelectChoice(grid.id, grid.name) for grid in grids]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must be on or after the first."))


class IdentityCheckForm(FlaskForm):
    """The office says it checked who is asking before a one-time code replaces a password."""

    checked = BooleanField(
        _l(
            "I have checked who they are: in person with their ID card, or on a call back to the number on record."
        ),
        validators=[DataRequired(_l("Check who they are first."))],
    )
