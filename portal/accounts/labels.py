"""What accounts' values are called in the reader's language."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.accounts.models import CareColour, Channel, Kinship, Leaving, Person, Role, Sex

ROLE_NAMES = {
    Role.RESIDENT: _l("Resident"),
    Role.FAMILY: _l("Family member"),
    Role.GRID_WORKER: _l("Grid worker"),
    Role.VOLUNTEER: _l("Volunteer"),
    Role.CANTEEN_STAFF: _l("Canteen staff"),
    Role.ORGANISER: _l("Activity organiser"),
    Role.ADMIN: _l("Community admin"),
    Role.PARTNER: _l("Partner"),
}

KINSHIP_LABELS = {
    Kinship.DAUGHTER: _l("Daughter"),
    Kinship.SON: _l("Son"),
    Kinship.DAUGHTER_IN_LAW: _l("Daughter-in-law"),
    Kinship.SON_IN_LAW: _l("Son-in-law"),
    Kinship.GRANDCHILD: _l("Grandchild"),
    Kinship.SPOUSE: _l("Husband or wife"),
    Kinship.RELATIVE: _l("Other relative"),
}

# Why a resident is not at home, as the office records it and their profile says it.
LEAVINGS = {
    Leaving.MOVED_OUT: _l("Moved out"),
    Leaving.HOSPITAL: _l("In hospital"),
    Leaving.DECEASED: _l("Passed away"),
}

# How a resident without a device asked staff to act for them, as staff choose it.
CHANNELS = {
    Channel.PHONE_CALL: _l("On the phone"),
    Channel.WALK_IN: _l("At the community office"),
    Channel.VISIT: _l("On a visit at home"),
}

SEXES = {Sex.FEMALE: _l("Female"), Sex.MALE: _l("Male")}

CARE_COLOURS = {
    CareColour.RED: _l("Red"),
    CareColour.YELLOW: _l("Yellow"),
    CareColour.GREEN: _l("Green"),
}
# A colour with how often its residents are visited.
CARE_CADENCES = {
    CareColour.RED: _l("Red: visit daily"),
    CareColour.YELLOW: _l("Yellow: visit weekly"),
    CareColour.GREEN: _l("Green: visit monthly"),
}


def address(person: Person) -> str:
    """Where person lives, as the reader's language writes it: 2号楼1单元403室 in Chinese,
    "2号楼, unit 1, room 403" in English. Units and rooms given as bare numbers get their word;
    those the office typed with one (1单元) are kept as typed."""
    unit, room = person.unit, person.room
    parts = [
        person.building.name if person.building else None,
        _("unit %(unit)s", unit=unit) if unit and unit.isdigit() else unit,
        _("room %(room)s", room=room) if room and room.isdigit() else room,
    ]
    separator = "" if get_locale().language == "zh" else ", "
    return separator.join(part for part in parts if part)
