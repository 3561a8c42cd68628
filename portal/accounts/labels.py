"""What accounts' values are called in the reader's language."""

from flask_babel import lazy_gettext as _l

from portal.accounts.models import Kinship

KINSHIP_LABELS = {
    Kinship.DAUGHTER: _l("Daughter"),
    Kinship.SON: _l("Son"),
    Kinship.DAUGHTER_IN_LAW: _l("Daughter-in-law"),
    Kinship.SON_IN_LAW: _l("Son-in-law"),
    Kinship.GRANDCHILD: _l("Grandchild"),
    Kinship.SPOUSE: _l("Husband or wife"),
    Kinship.RELATIVE: _l("Other relative"),
}
