"""Words and icons for activity categories and sign-up states, in the reader's language."""

from flask_babel import lazy_gettext as _l

# A place staff took for a resident who asked them without a device, as the resident and family
# read it; keyed by the accounts Channel the resident asked by.
SIGNED_UP_AFTER = {
    "phone_call": _l("Signed up by %(name)s after your phone call"),
    "walk_in": _l("Signed up by %(name)s when you came to the office"),
    "visit": _l("Signed up by %(name)s on a visit to your home"),
}
CATEGORIES = {
    "health_talk": _l("Health talk"),
    "anti_fraud": _l("Anti-fraud talk"),
    "birthday": _l("Birthday party"),
    "festival": _l("Festival"),
    "chess": _l("Chess and cards"),
    "calligraphy": _l("Calligraphy and painting"),
    "crafts": _l("Crafts"),
    "exercise": _l("Exercise"),
    "volunteer": _l("Volunteer work"),
    "other": _l("Other"),
}
# Symbols in static/icons/sprite.svg, one per category.
CATEGORY_ICONS = {
    "health_talk": "health_talk",
    "anti_fraud": "anti_fraud",
    "birthday": "birthday",
    "festival": "festival",
    "chess": "chess",
    "calligraphy": "calligraphy",
    "crafts": "crafts",
    "exercise": "exercise",
    "volunteer": "volunteer",
    "other": "other",
}
