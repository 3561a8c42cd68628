"""Where other features meet accounts: what happens to a resident that they react to."""

from collections.abc import Callable
from datetime import datetime

from blinker import Namespace

_signals = Namespace()

# A resident left home (moved out, went into hospital, died): sent, once the leaving is saved,
# with the Person, reason= (a Leaving), by= the staff member who recorded it and now= (naive UTC).
# Each feature gives back, and commits, what it held for them that has not yet begun or passed
# its cut-off (meals, deliveries, activity places), and returns {what: how many}. Sent again for
# the same leaving, it gives back only what is left.
resident_left = _signals.signal("resident-left")

# A resident came home from hospital: sent with the Person, by= and now=. What was paused for
# them resumes; what was given back stays given back.
resident_returned = _signals.signal("resident-returned")

# A staff member or volunteer's account was closed: sent, in the transaction that closes it (the
# sender commits), with the Person, by= the admin and now= (naive UTC). Each feature gives back
# what the person held for others (help requests to their grid's queue), and returns
# {what: how many}.
account_closed = _signals.signal("account-closed")


# Signs that a resident was well lately besides a care visit (a meal handed over at their door,
# a sign-in at the kiosk, a check-in at an activity): each feature registers a function that
# gives, for resident ids, {resident id: the latest such moment (naive UTC)}, and one that gives,
# for residents (ids, or a query of their ids), the latest such moment of any of them as a scalar
# subquery, which moves whenever one comes. Care visits count them towards a yellow or green
# resident's visit where the community chose so.
_contacts: dict[str, tuple[Callable[[list[int]], dict[int, datetime]], Callable]] = {}


def register_contact(
    name: str, latest: Callable[[list[int]], dict[int, datetime]], last: Callable
) -> None:
    _contacts[name] = (latest, last)


def latest_contacts(resident_ids: list[int]) -> dict[int, datetime]:
    """The latest registered contact of each resident, whatever its kind."""
    found: dict[int, datetime] = {}
    for latest, _last in _contacts.values():
        for resident_id, moment in latest(resident_ids).items():
            if moment is not None and (resident_id not in found or moment > found[resident_id]):
                found[resident_id] = moment
    return found


def last_contacts(residents) -> list:
    """For residents (ids, or a query of their ids), the latest contact of each kind, as scalar
    subqueries to read in one statement: they move whenever a contact comes."""
    return [last(residents) for _latest, last in _contacts.values()]
