"""People and their roles, sign-in by password or by resident code and PIN, family links, kiosks."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.accounts import labels, seams, services
    from portal.accounts.views import bp

    app.register_blueprint(bp)
    seams.register_contact(
        "kiosk sign-in", services.latest_kiosk_sign_ins, services.last_kiosk_sign_in
    )
    audit.name_area("account", _l("Accounts"))
    audit.name_area("sign_in", _l("Sign-ins"))
    audit.name_area("family_link", _l("Family links"))
    audit.name_area("kiosk", _l("Kiosks"))
    audit.name_actions(
        {
            "account.registered": _l("%(who)s registered as a family member"),
            "account.repeated_failures": _l("Repeated wrong passwords for %(whose)s's account"),
            "family_link.requested": _l("%(who)s asked to be linked to %(whose)s"),
            "family_link.approved": _l("%(who)s approved a family link of %(whose)s"),
            "family_link.declined": _l("%(who)s declined a family link of %(whose)s"),
            "family_link.ended": _l("%(who)s ended a family link of %(whose)s"),
            "kiosk.enrolled": _l("%(who)s enrolled a kiosk"),
            "kiosk.revoked": _l("%(who)s switched a kiosk off"),
            "sign_in.ended_all": _l("%(who)s signed %(whose)s out on every device"),
            "sign_in.ended_remembered": _l("%(who)s signed %(whose)s out of their home tablets"),
            "sign_in.repeated_failures": _l("Repeated wrong PINs for %(whose)s"),
        },
        {"location": _l("Where"), "count": _l("How many"), "reason": _l("Why")},
    )
    app.add_template_filter(labels.address)
    # What care colours are called, for every page that shows one.
    app.jinja_env.globals.update(account_labels=labels)
