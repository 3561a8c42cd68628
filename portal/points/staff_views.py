"""Deeds staff record: volunteers' kitchen shifts (canteen staff), the helpers of an activity
(its organiser), and meal vouchers taken at the counter for walk-in meals."""

from flask import Blueprint

bp = Blueprint("points_staff", __name__, url_prefix="/points/staff")
