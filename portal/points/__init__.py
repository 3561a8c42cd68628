"""Service points (服务积分): a double-entry ledger per community, in which deeds done through the
portal earn points by the community's rules, and points can be given to neighbours or the
community's pool."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.delivery import signals as delivery
    from portal.help import seams as help
    from portal.points import rules

    help.request_resolved.connect(rules.help_resolved, weak=False)
    delivery.round_completed.connect(rules.round_completed, weak=False)
