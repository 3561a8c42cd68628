"""Every model of the portal, imported in one place so Alembic sees the whole schema."""

from portal.accounts.models import (
    FamilyLink,
    Kiosk,
    Person,
    RoleGrant,
    SignIn,
    SignInThrottle,
)
from portal.activities.models import CalendarFeed, Event, Series, SignUp, Venue
from portal.administration.models import ImportColumns, ResidentImport
from portal.audit.models import AuditEntry
from portal.canteen.models import Booking, Canteen, Dish, MealDay, MealService
from portal.care.models import (
    CareCadence,
    CarePause,
    CareSettings,
    CareSharing,
    CareVisit,
    CheckIn,
    CheckInPlan,
    ColourChange,
)
from portal.community.models import Building, Community, Grid, Partner, StreetOffice
from portal.delivery.models import Delivery, DeliveryEnrolment, DeliveryPause, DeliveryRound
from portal.help.models import (
    ApiKey,
    HelpEvent,
    HelpRequest,
    HelpService,
    HelpSettings,
    ServiceQuestion,
)
from portal.jobs import JobLock
from portal.notifications.models import Notification
from portal.paperwork.models import CaseDocument, PaperworkCase, PaperworkDue, PaperworkKind
from portal.partners.models import PartnerRating
from portal.points.models import (
    PointsAccount,
    PointsEntry,
    PointsRule,
    PointsSettings,
    PointsTransaction,
    ServiceRecord,
    Voucher,
    VoucherKind,
)

__all__ = [
    "PointsAccount",
    "PointsEntry",
    "PointsRule",
    "PointsSettings",
    "PointsTransaction",
    "ServiceRecord",
    "Voucher",
    "VoucherKind",
    "ImportColumns",
    "ResidentImport",
    "CalendarFeed",
    "Event",
    "Series",
    "SignUp",
    "Venue",
    "AuditEntry",
    "Booking",
    "CareCadence",
    "CarePause",
    "CareSettings",
    "CareSharing",
    "CareVisit",
    "CheckIn",
    "CheckInPlan",
    "ColourChange",
    "Canteen",
    "Dish",
    "MealDay",
    "MealService",
    "Building",
    "Delivery",
    "DeliveryEnrolment",
    "DeliveryPause",
    "DeliveryRound",
    "Community",
    "FamilyLink",
    "Grid",
    "HelpEvent",
    "HelpRequest",
    "HelpSettings",
    "ApiKey",
    "HelpService",
    "ServiceQuestion",
    "PartnerRating",
    "CaseDocument",
    "PaperworkCase",
    "PaperworkDue",
    "PaperworkKind",
    "JobLock",
    "Kiosk",
    "Notification",
    "Partner",
    "Person",
    "RoleGrant",
    "SignIn",
    "SignInThrottle",
    "StreetOffice",
]
