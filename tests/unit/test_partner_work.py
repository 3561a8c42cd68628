"""What a partner's people do with a request handed to them: accept or decline it, note their
progress, hand it on (物业 → 水务) and resolve it, while the grid worker keeps it; and a partner
that does not accept in the community's time gives it back."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.administration import staff
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Status
from portal.model_base import utcnow
from portal.notifications.models import Notification


@pytest.fixture
def crew(people, partners):
    """Two people of the property company and one of the water company."""
    property_company, water = partners
    return (
        staff.add_partner_person(people.admin, property_company, "张师傅", "13912340001")[0],
        staff.add_partner_person(people.admin, property_company, "赵师傅", "13912340002")[0],
        staff.add_partner_person(people.admin, water, "水务小刘", "13912340003")[0],
    )


def _handed(people, partner, now, category="repair"):
    request, _new = help.raise_request(people.resident, category, people.resident, now=now)
    help.take(request, people.worker, now=now)
    help.hand_off(request, people.worker, partner, "厨房水龙头没有水", now=now)
    return request


def _told(person, kind):
    return db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == person.id, Notification.kind == kind)
        .order_by(Notification.id)
    ).all()


def test_the_chain_from_property_company_to_water_company(people, partners, crew):
    property_company, water = partners
    zhang, _zhao, liu = crew
    now = utcnow()
    request = _handed(people, property_company, now)
    assert request.awaiting_partner and request.handed_at == now
    assert [n.params["reference"] for n in _told(zhang, "help.handed_to_partner")] == [
        request.reference
    ]

    help.add_note(request, people.worker, "老人有高血压", visible=False)
    help.accept(request, zhang, now=now + timedelta(minutes=5))
    assert request.accepted_at == now + timedelta(minutes=5) and not request.awaiting_partner
    (told,) = _told(people.family, "help.partner_accepted")
    assert told.params["partner"] == "物业服务中心"

    help.add_partner_note(request, zhang, "楼里水压低，是总管的问题", visible=False)
    help.add_partner_note(request, zhang, "已联系自来水公司", visible=True)
    help.hand_on(request, zhang, water, "总管水压低，请检修", now=now + timedelta(minutes=30))
    assert request.partner_id == water.id and request.awaiting_partner
    assert request.holder_id == people.worker.id and request.status == Status.IN_PROGRESS
    assert help.handed_request(zhang, request.id) is None
    assert help.handed_request(liu, request.id).id == request.id
    (news,) = _told(people.worker, "help.partner_news")
    assert news.params["what"] == "handed_on" and news.params["to"] == "自来水公司"

    help.accept(request, liu)
    help.resolve_as_partner(request, liu, "更换了减压阀，水压正常", now=now + timedelta(hours=2))
    assert request.status == Status.RESOLVED and request.resolved_at == now + timedelta(hours=2)
    assert [n.params["what"] for n in _told(people.worker, "help.partner_news")] == [
        "handed_on",
        "resolved",
    ]
    help.confirm(request, people.resident, fixed=True)
    assert request.status == Status.CLOSED

    kinds = [(e.kind, e.partner.name if e.partner else None) for e in request.events]
    assert kinds == [
        ("created", None),
        ("taken", None),
        ("handed_off", "物业服务中心"),
        ("note", None),
        ("partner_accepted", "物业服务中心"),
        ("note", "物业服务中心"),
        ("note", "物业服务中心"),
        ("handed_on", "自来水公司"),
        ("partner_accepted", "自来水公司"),
        ("resolved", "自来水公司"),
        ("confirmed", None),
    ]
    # The partners read what partners wrote and what the resident reads, never the grid's own
    # internal notes.
    read = [e.text for e in help.partner_notes(request)]
    assert "楼里水压低，是总管的问题" in read and "老人有高血压" not in read


def test_a_partner_that_declines_gives_it_back_to_the_grid_worker(people, partners, crew):
    property_company, _water = partners
    zhang, zhao, _liu = crew
    now = utcnow()
    request = _handed(people, property_company, now)
    help.decline(request, zhang, "不属于物业维修范围", now=now + timedelta(minutes=3))
    assert request.partner_id is None and request.returned_at == now + timedelta(minutes=3)
    assert request.holder_id == people.worker.id and request.status == Status.IN_PROGRESS
    (news,) = _told(people.worker, "help.partner_news")
    assert news.params["what"] == "declined" and news.params["reason"] == "不属于物业维修范围"
    assert help.handed_request(zhao, request.id) is None
    with pytest.raises(help.NotPartnerWork):
        help.accept(request, zhao)
    # Handing it to a partner again clears the warning.
    help.hand_off(request, people.worker, property_company, "请再看一下")
    assert request.returned_at is None and request.awaiting_partner


def test_two_people_of_a_partner_accepting_at_once_accept_it_once(people, partners, crew):
    property_company, _water = partners
    zhang, zhao, _liu = crew
    request = _handed(people, property_company, utcnow())
    help.accept(request, zhang)
    help.accept(request, zhao)
    help.accept(request, zhang)
    assert [e.kind for e in request.events].count("partner_accepted") == 1
    with pytest.raises(help.NotPartnerWork):
        help.decline(request, zhao, "太远了")


def test_someone_outside_the_partner_can_do_nothing_with_it(people, partners, crew):
    _property_company, water = partners
    zhang, _zhao, liu = crew
    request = _handed(people, _property_company, utcnow())
    for step in (
        lambda: help.accept(request, liu),
        lambda: help.decline(request, liu, "不是我们"),
        lambda: help.add_partner_note(request, liu, "看看", visible=True),
        lambda: help.resolve_as_partner(request, people.worker, "修好了"),
    ):
        with pytest.raises(help.NotPartnerWork):
            step()
    # Resolving or handing on needs it accepted first.
    with pytest.raises(help.NotPartnerWork):
        help.resolve_as_partner(request, zhang, "修好了")
    with pytest.raises(help.NotPartnerWork):
        help.hand_on(request, zhang, water, "请处理")
    help.accept(request, zhang)
    with pytest.raises(help.NotAllowed):
        help.hand_on(request, zhang, _property_company, "给自己")


def test_not_fixed_goes_back_to_the_grid_worker_not_to_the_partner(people, partners, crew):
    property_company, _water = partners
    zhang, _zhao, _liu = crew
    request = _handed(people, property_company, utcnow())
    help.accept(request, zhang)
    help.resolve_as_partner(request, zhang, "修好了")
    help.confirm(request, people.family, fixed=False)
    assert request.status == Status.ACKNOWLEDGED and request.partner_id is None
    assert help.handed_request(zhang, request.id) is None


def test_a_partner_that_does_not_accept_in_time_gives_it_back(people, partners, crew, world):
    property_company, water = partners
    zhang, _zhao, _liu = crew
    now = utcnow()
    slow = _handed(people, property_company, now)
    quick, _new = help.raise_request(people.resident, "errand", people.resident, now=now)
    help.take(quick, people.worker, now=now)
    help.hand_off(quick, people.worker, water, "买药", now=now)
    accepted = _handed(people, property_company, now, category="paperwork")
    help.accept(accepted, zhang, now=now + timedelta(minutes=1))

    assert help.return_unaccepted(now + timedelta(minutes=119)) == 0
    assert help.return_unaccepted(now + timedelta(minutes=121)) == 2
    for request in (slow, quick):
        db.session.refresh(request)
        assert request.partner_id is None and request.returned_at == now + timedelta(minutes=121)
        assert request.events[-1].kind == "partner_lapsed" and not request.events[-1].visible
    assert accepted.partner_id == property_company.id
    assert [n.params["what"] for n in _told(people.worker, "help.partner_news")] == [
        "lapsed",
        "lapsed",
    ]
    assert help.return_unaccepted(now + timedelta(minutes=200)) == 0


def test_the_community_sets_the_time_to_accept(people, partners, world):
    property_company, _water = partners
    help.save_settings(people.admin, world.community.id, minutes=30, urgent_minutes=5)
    assert help.settings_of(world.community.id).partner_accept_minutes == 30
    now = utcnow()
    normal = _handed(people, property_company, now)
    urgent = _handed(people, property_company, now, category="unwell")
    assert urgent.urgent
    assert help.return_unaccepted(now + timedelta(minutes=4)) == 0
    assert help.return_unaccepted(now + timedelta(minutes=6)) == 1
    db.session.refresh(urgent)
    db.session.refresh(normal)
    assert urgent.partner_id is None and normal.partner_id == property_company.id
    assert help.return_unaccepted(now + timedelta(minutes=31)) == 1


def test_a_partner_serves_the_communities_its_admins_choose(people, partners, world, crew):
    from portal.accounts.models import Role
    from portal.administration import services as administration
    from portal.community.models import Building, Community, Grid
    from portal.community.services import partners_of

    _property_company, water = partners
    _zhang, _zhao, liu = crew
    other = Community(name="锦绣园社区", hotline="0871-2", street_office=world.street)
    grid = Grid(name="锦绣园一网格", community=other)
    db.session.add_all([other, grid, Building(name="9号楼", grid=grid)])
    db.session.commit()
    neighbour = world.person(
        Role.RESIDENT, name="邻居", community=other, building=grid.buildings[0]
    )
    worker = world.person(Role.GRID_WORKER, name="别的网格员", community=other, grid=grid)
    asked, _new = help.raise_request(neighbour, "repair", neighbour)
    help.take(asked, worker)
    assert water not in partners_of(other.id)
    with pytest.raises(help.NotAllowed):
        help.hand_off(asked, worker, water, "请检修")

    with pytest.raises(PermissionError):
        administration.set_served(worker, water, {other.id})
    administration.set_served(people.admin, water, {other.id, 99999})
    assert [c.id for c in water.also_serves] == [other.id]
    assert water in partners_of(other.id) and water in partners_of(world.community.id)
    help.hand_off(asked, worker, water, "请检修")
    assert help.handed_request(liu, asked.id).id == asked.id
