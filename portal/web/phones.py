"""Chinese mobile numbers as people type them: with spaces, dashes, brackets, +86 or 0086."""

import re
import unicodedata

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


def international_phone(raw: str | None, region: str = "CN") -> str | None:
    """Any real phone number as people type it (a mobile or a fixed line, in mainland China with
    its area code, or in Hong Kong, Macau, Taiwan or abroad after + or 00) in E.164, as stored:
    "010-8555 1234" is +861085551234. None when it is no number anyone could call."""
    raw = unicodedata.normalize("NFKC", raw or "").strip()  # full-width digits and brackets
    if not raw or not _TYPED.match(raw):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown_phone(stored: str | None) -> str:
    """A stored number as people read it: mainland numbers as dialled in China (010 8555 1234,
    138 0013 8000), others with their country code (+852 9123 4567)."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, "CN")
    except NumberParseException:
        return stored
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
