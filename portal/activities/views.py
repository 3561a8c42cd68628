"""What residents and their families see: today and this week, the week and month, joining."""

from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/activities")
