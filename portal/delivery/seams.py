"""Meal delivery at the other features' seams: it books a meal's deliveries when the canteen
publishes the meal, gives them back when a resident leaves home (and resumes them when they come
back from hospital), warns the kitchen sheet of deliveries a full meal left out, and shows on a
welfare check the drop whose unanswered door raised it."""

from flask import Flask, render_template

from portal.accounts import day, profile
from portal.accounts import seams as residents
from portal.canteen import seams as canteen
from portal.community import seams as places
from portal.delivery import bookings as delivery_bookings
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as deliveries
from portal.help import sources
from portal.help.models import Source


def init_app(app: Flask) -> None:
    canteen.meal_published.connect(_book_meal, weak=False)
    canteen.add_kitchen_warning(_kitchen_shortfall)
    sources.register(Source.DELIVERY, _drop_that_raised)
    residents.resident_left.connect(_give_back_deliveries, weak=False)
    residents.resident_returned.connect(_resume_deliveries, weak=False)
    places.grid_merging.connect(_move_rounds, weak=False)
    profile.register_export("meal_delivery", deliveries.export_of)
    residents.register_contact(
        "delivered meal", deliveries.latest_deliveries, deliveries.last_delivery
    )
    places.grid_records.connect(_rounds_in_grid, weak=False)
    day.register("delivery", _exceptions, delivery_rounds.exceptions_fingerprint)


def _exceptions(worker, now) -> list[day.Item]:
    return [
        day.Item(
            key=f"delivery-{drop.id}",
            urgent=False,
            colour=drop.enrolment.resident.care_colour,
            since=drop.marked_at or drop.created_at,
            template="delivery/_day_item.html",
            subject=drop,
        )
        for drop in delivery_rounds.exceptions(worker, now)
    ]


def _book_meal(meal_day, now=None) -> None:
    delivery_bookings.book_meal(meal_day, now)


def _give_back_deliveries(resident, reason, by, now=None) -> dict[str, int]:
    return {"deliveries": deliveries.give_back_for_leaving(resident, reason, by, now)}


def _resume_deliveries(resident, by, now=None) -> None:
    deliveries.resume_after_hospital(resident, now)


def _move_rounds(grid, into, by) -> dict[str, int]:
    return {"delivery rounds": delivery_bookings.move_grid(grid, into)}


def _rounds_in_grid(grid) -> int:
    return delivery_bookings.rounds_in_grid(grid)


def _kitchen_shortfall(meal_days: list) -> str:
    shortfall = delivery_rounds.shortfall(meal_days)
    if not shortfall:
        return ""
    first = meal_days[0]
    return render_template(
        "delivery/_kitchen_shortfall.html",
        shortfall=shortfall,
        place=first.service.canteen,
        day=first.day,
    )


def _drop_that_raised(request) -> str:
    drop = delivery_rounds.drop_for_request(request.id)
    return render_template("delivery/_help_source.html", drop=drop) if drop else ""
