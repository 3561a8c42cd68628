from uuid import uuid4

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length


def one_time_key() -> str:
    return uuid4().hex


class RedeemForm(FlaskForm):
    """Getting a voucher: the confirmation carries its own key, so that a second tap, or the
    page sent again, gets the same voucher rather than another."""

    key = HiddenField(default=one_time_key, validators=[InputRequired(), Length(max=40)])
