from flask_wtf import FlaskForm

from portal.accounts.forms import channel_field


class JoinForm(FlaskForm):
    """Joining after checking the details: nothing to fill in, only the CSRF token."""


class StaffJoinForm(JoinForm):
    """Joining by a grid worker or admin for a resident who asked them without a device."""

    channel = channel_field()
