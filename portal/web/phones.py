"""Chinese mobile numbers as people type them: with spaces, dashes, brackets, +86 or 0086."""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# What a typed number may hold besides digits. Anything else (letters, which phonenumbers would
# read as a keypad's) is not a mobile number.
_SEPARATORS = re.compile(r"[\s\-()]")
_TYPED = re.compile(r"^\+?[0-9\s\-()]*$")


def normalise_phone(raw: str | None) -> str:
    """The 11 digits of a Chinese mobile number typed in any of the usual ways, as accounts store
    it; what cannot be a number comes back with its separators removed, and so matches nobody."""
    raw = raw or ""
    if not _TYPED.match(raw):
        return _SEPARATORS.sub("", raw)
    try:
        number = phonenumbers.parse(raw, "CN")
    except NumberParseException:
        return _SEPARATORS.sub("", raw)
    if number.country_code != 86:
        return _SEPARATORS.sub("", raw)
    return str(number.national_number)


def is_valid_phone(phone: str) -> bool:
    """Whether phone (as normalise_phone gives it) is a mobile number in China's numbering plan."""
    try:
        number = phonenumbers.parse(phone, "CN")
    except NumberParseException:
        return False
    return (
        number.country_code == 86
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == PhoneNumberType.MOBILE
    )
