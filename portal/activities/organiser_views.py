"""Organisers: venues, events and weekly series, attendee lists, check-in and attendance."""

from flask import Blueprint

bp = Blueprint("organise", __name__, url_prefix="/activities/organise")
