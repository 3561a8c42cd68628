"""Calendar feeds (RFC 5545): the community's public calendar and each person's own."""

from flask import Blueprint

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
