"""What the details the office keeps of a resident are called, in the reader's language: for the
changes an import would make, the audit log's details and the copy of a resident's data."""

from flask_babel import lazy_gettext as _l

from portal.community.models import PartnerKind

PARTNER_KINDS = {
    PartnerKind.PROPERTY: _l("Property company"),
    PartnerKind.WATER: _l("Water company"),
    PartnerKind.POWER: _l("Power company"),
    PartnerKind.GAS: _l("Gas company"),
    PartnerKind.CLINIC: _l("Clinic"),
    PartnerKind.MERCHANT: _l("Local merchant"),
    PartnerKind.SOCIAL_WORK: _l("Social work agency"),
    PartnerKind.OTHER: _l("Other"),
}

RESIDENT_FIELDS = {
    "name": _l("Name"),
    "resident_code": _l("Resident code"),
    "birth_date": _l("Date of birth"),
    "sex": _l("Sex"),
    "building_id": _l("Building"),
    "building": _l("Building"),
    "unit": _l("Unit"),
    "room": _l("Room"),
    "floor": _l("Floor"),
    "phone": _l("Mobile number"),
    "landline": _l("Phone at home"),
    "special_support": _l("Special support (特困供养)"),
    "care_colour": _l("Care colour"),
    "care_colour_reason": _l("Why this care colour"),
    "diet_notes": _l("Diet notes for the kitchen"),
    "language": _l("Language at the kiosk"),
    "contacts": _l("Emergency contact"),
    "emergency_contacts": _l("Emergency contact"),
    "community": _l("Community"),
}
