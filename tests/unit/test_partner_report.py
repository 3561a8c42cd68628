"""The partners' month: what was handed to each partner in the month and what became of it, and
the review panel's scores."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.administration import staff
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.help import services as help
from portal.partners import services as partnership
from portal.partners.models import PartnerRating

# 10:00 on 3 March 2026 in Shanghai, as naive UTC.
MARCH = datetime(2026, 3, 3, 2, 0)


@pytest.fixture
def crew(people, partners):
    property_company, water = partners
    return (
        staff.add_partner_person(people.admin, property_company, "张师傅", "13912340001")[0],
        staff.add_partner_person(people.admin, water, "刘师傅", "13912340002")[0],
    )


def _handed(people, partner, at, category):
    request, _new = help.raise_request(people.resident, category, people.resident, now=at)
    help.take(request, people.worker, now=at)
    help.hand_off(request, people.worker, partner, "请上门", now=at)
    return request


def test_each_partner_s_month(people, partners, crew, world):
    property_company, water = partners
    zhang, liu = crew
    # Accepted in 30 minutes, handed on to the water company, which accepts in 10 and resolves
    # in 5 hours; the resident says it is not fixed.
    chain = _handed(people, property_company, MARCH, "repair")
    help.accept(chain, zhang, now=MARCH + timedelta(minutes=30))
    help.hand_on(chain, zhang, water, "总管", now=MARCH + timedelta(hours=1))
    help.accept(chain, liu, now=MARCH + timedelta(hours=1, minutes=10))
    help.resolve_as_partner(chain, liu, "修好了", now=MARCH + timedelta(hours=6))
    help.confirm(chain, people.resident, fixed=False)
    # Declined at once.
    declined = _handed(people, property_company, MARCH + timedelta(days=1), "errand")
    help.decline(declined, zhang, "不归物业管", now=MARCH + timedelta(days=1, minutes=5))
    # Not accepted in time.
    _handed(people, property_company, MARCH + timedelta(days=2), "paperwork")
    help.return_unaccepted(MARCH + timedelta(days=2, hours=3))
    # Accepted in 90 minutes and resolved in a day, fixed.
    fixed = _handed(people, property_company, MARCH + timedelta(days=3), "company")
    help.accept(fixed, zhang, now=MARCH + timedelta(days=3, minutes=90))
    help.resolve_as_partner(fixed, zhang, "好了", now=MARCH + timedelta(days=4))
    help.confirm(fixed, people.resident, fixed=True)
    # Handed in April: not March's.
    _handed(people, property_company, datetime(2026, 4, 2, 2, 0), "other")

    rows = {
        row.partner.id: row for row in partnership.month_report(world.community, date(2026, 3, 1))
    }
    own = rows[property_company.id]
    assert (own.handed, own.accepted, own.declined, own.lapsed) == (4, 2, 1, 1)
    assert own.accept_median == 60 and own.resolved == 1 and own.resolve_median == 24
    assert own.reopen_rate == 0
    other = rows[water.id]
    assert (other.handed, other.accepted, other.resolved, other.reopened) == (1, 1, 1, 1)
    assert other.accept_median == 10 and other.resolve_median == 5 and other.reopen_rate == 1
    april = {r.partner.id: r for r in partnership.month_report(world.community, date(2026, 4, 1))}
    assert april[property_company.id].handed == 1 and april[water.id].handed == 0


def test_the_panel_rates_a_partner_once_a_month(people, partners, world):
    property_company, _water = partners
    march = date(2026, 3, 1)
    scores = {"speed": 4, "quality": 5, "manner": 3}
    partnership.rate(
        people.admin,
        property_company,
        world.community.id,
        march,
        scores,
        " 上门及时 ",
        "3号楼居民代表",
    )
    partnership.rate(
        people.admin, property_company, world.community.id, march, {**scores, "speed": 2}, "", None
    )
    (rating,) = db.session.scalars(select(PartnerRating)).all()
    assert (rating.speed, rating.quality, rating.comment, rating.panel) == (2, 5, None, None)
    (row,) = [
        r for r in partnership.month_report(world.community, march) if r.partner == property_company
    ]
    assert row.rating == rating
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "partner.rated").order_by(AuditEntry.id)
    ).all()
    assert [e.detail["speed"] for e in entries] == ["4", "2"]
    with pytest.raises(ValueError):
        partnership.rate(
            people.admin,
            property_company,
            world.community.id,
            march,
            {**scores, "speed": 6},
            None,
            None,
        )
    with pytest.raises(partnership.NotAdministered):
        partnership.rate(
            people.worker, property_company, world.community.id, march, scores, None, None
        )
