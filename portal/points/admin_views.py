"""The community's points, as its admins run them: the rules, the kinds of voucher and their
stock, awards by hand, and the month's report."""

from flask import Blueprint

bp = Blueprint("points_admin", __name__, url_prefix="/points/admin")
