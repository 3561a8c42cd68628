"""Service points (服务积分): a double-entry ledger per community, in which deeds done through the
portal earn points by the community's rules and join the doer's record of service hours; points
can be given to neighbours or the community's pool, and buy vouchers (贴心券) that pay for meals
at the canteen."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.accounts import profile
    from portal.canteen import seams as canteen
    from portal.delivery import signals as delivery
    from portal.help import seams as help
    from portal.points import admin_views, rules, services, staff_views, views, vouchers

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(staff_views.bp)
    help.request_resolved.connect(rules.help_resolved, weak=False)
    delivery.round_completed.connect(rules.round_completed, weak=False)
    canteen.add_payer(vouchers.MealVouchers())
    profile.register_export("points", services.export_of)
    profile.register_export("vouchers", vouchers.export_of)
    profile.register_export("service_hours", services.service_export_of)
    staff_views.add_links()  # on the kitchen sheet and the organiser's event page
    audit.name_area("points", _l("Service points"))
    audit.name_actions(
        {
            "points.awarded": _l("%(who)s awarded points to %(whose)s"),
            "points.voucher_used": _l("%(who)s took %(whose)s's meal voucher at the counter"),
            "points.rule_changed": _l("%(who)s changed how many points a deed earns"),
            "points.settings_changed": _l("%(who)s changed when points expire"),
            "points.kind_saved": _l("%(who)s saved a kind of voucher"),
            "points.kind_withdrawn": _l("%(who)s withdrew a kind of voucher"),
            "points.shift_recorded": _l("%(who)s recorded %(whose)s's kitchen shift"),
            "points.helpers_credited": _l("%(who)s credited %(whose)s for helping at an activity"),
        }
    )
