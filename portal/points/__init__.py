"""Service points (服务积分): a double-entry ledger per community, in which deeds done through the
portal earn points by the community's rules and join the doer's record of service hours; points
can be given to neighbours or the community's pool, and buy vouchers (贴心券) that pay for meals
at the canteen."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.canteen import seams as canteen
    from portal.delivery import signals as delivery
    from portal.help import seams as help
    from portal.points import rules, vouchers

    help.request_resolved.connect(rules.help_resolved, weak=False)
    delivery.round_completed.connect(rules.round_completed, weak=False)
    canteen.add_payer(vouchers.MealVouchers())
