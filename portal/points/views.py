"""A person's points: their balance, what moved it, their vouchers and hours of service, getting
a voucher, and a printable certificate of service hours."""

from flask import Blueprint

bp = Blueprint("points", __name__, url_prefix="/points")
