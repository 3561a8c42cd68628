from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role, RoleGrant
from portal.audit.models import AuditEntry
from portal.community.models import Building, Community, Grid, Partner
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, HelpRequest, Source, Status
from portal.model_base import utcnow
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(HelpRequest))


def test_resident_home_has_a_form_per_help_button(client, people, sign_in):
    """Each button sends its request in one tap; paperwork first asks which paperwork."""
    sign_in.resident(people.resident)
    page = html(client.get("/resident"))
    categories = [i["value"] for i in page.select(".help-buttons input[name=category]")]
    assert categories == ["repair", "errand", "unwell", "company", "other"]
    assert all(f["method"] == "post" for f in page.select(".help-buttons form"))
    paperwork = page.select(".help-buttons > li")[2].select_one("a.help-button")
    assert paperwork["href"] == "/paperwork/ask?service=paperwork"


def test_one_tap_sends_and_confirms_with_the_workers_name(client, people, sign_in):
    sign_in.resident(people.resident)
    response = client.post("/help/requests", data={"category": "repair"})
    assert response.status_code == 303 and _count() == 1
    page = html(client.get(response.headers["Location"]))
    assert "reached your grid worker 王芳" in page.get_text()
    assert not page.select("a[href='tel:120'].button--emergency")


def test_double_tap_and_reload_do_not_duplicate(client, people, sign_in):
    sign_in.resident(people.resident)
    first = client.post("/help/requests", data={"category": "errand"}).headers["Location"]
    second = client.post("/help/requests", data={"category": "errand"}).headers["Location"]
    assert first == second and _count() == 1


def test_unwell_confirmation_says_call_120(client, people, sign_in):
    sign_in.resident(people.resident)
    response = client.post("/help/requests", data={"category": "unwell"}, follow_redirects=True)
    page = html(response)
    assert "call 120" in page.get_text() and page.select_one(
        "main a.button--emergency[href='tel:120']"
    )


def test_dictation_is_off_unless_enabled_and_then_says_where_the_voice_goes(
    app, client, people, sign_in
):
    sign_in.resident(people.resident)
    sent = client.post("/help/requests", data={"category": "repair"}, follow_redirects=True)
    assert html(sent).select_one("[data-dictate-into]") is None
    assert "Google" not in text_of(sent)
    assert "microphone=()" in sent.headers["Permissions-Policy"]
    app.config["DICTATION"] = True
    page = client.get(sent.request.path)
    button = html(page).select_one("[data-dictate-into]")
    notice = html(page).select_one(f"#{button['aria-describedby']}").get_text()
    assert "outside China" in notice and "Google" in notice
    assert "microphone" not in page.headers["Permissions-Policy"]


def test_unknown_category_is_a_clear_400(client, people, sign_in):
    sign_in.resident(people.resident)
    response = client.post("/help/requests", data={"category": "rocket"})
    assert response.status_code == 400 and "This did not work" in text_of(response)
    assert _count() == 0


def test_note_too_long_is_explained_and_html_is_shown_as_text(client, people, sign_in):
    sign_in.resident(people.resident)
    location = client.post("/help/requests", data={"category": "repair"}).headers["Location"]
    request_id = int(location.split("/")[3])
    page = html(
        client.post(f"/help/requests/{request_id}/notes/resident", data={"text": "x" * 10000})
    )
    assert "under 1000 characters" in page.select_one("#text-error").get_text()
    client.post(
        f"/help/requests/{request_id}/notes/resident", data={"text": "<script>alert(1)</script>"}
    )
    body = client.get(f"/help/residents/{people.resident.id}/requests").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_family_raises_for_a_linked_parent_but_not_for_others(client, people, world, sign_in):
    stranger = world.person(Role.RESIDENT)
    sign_in.password(people.family)
    response = client.post(
        "/help/requests", data={"category": "errand", "resident_id": people.resident.id}
    )
    assert response.status_code == 303
    assert (
        client.post(
            "/help/requests", data={"category": "errand", "resident_id": stranger.id}
        ).status_code
        == 403
    )
    assert client.get(f"/help/residents/{stranger.id}/requests").status_code == 403
    page = html(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "王桂兰's requests for help" in page.h1.get_text()


def test_rate_limit_message_still_shows_the_hotline(app, client, people, sign_in):
    app.config["HELP_REQUESTS_PER_HOUR"] = 1
    app.config["HELP_DEDUPE_MINUTES"] = 0
    sign_in.resident(people.resident)
    client.post("/help/requests", data={"category": "repair"})
    response = client.post("/help/requests", data={"category": "errand"}, follow_redirects=True)
    page = html(response)
    assert "many times this hour" in page.get_text()
    assert page.select_one(".help-strip a[href^='tel:0871']")
    assert _count() == 1


@pytest.mark.own_app
def test_feeling_unwell_is_sent_whatever_the_limits(app, client, people, sign_in):
    app.config.update(
        HELP_REQUESTS_PER_HOUR=1,
        HELP_DEDUPE_MINUTES=0,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
    )
    from portal.extensions import limiter

    limiter.init_app(app)
    sign_in.resident(people.resident)
    # The portal's own limit, then the device's: 60 taps an hour.
    client.post("/help/requests", data={"category": "repair"})
    refused = client.post("/help/requests", data={"category": "errand"}, follow_redirects=True)
    assert "many times this hour" in text_of(refused)
    for _ in range(58):
        client.post("/help/requests", data={"category": "errand"})
    assert client.post("/help/requests", data={"category": "errand"}).status_code == 429
    sent = client.post("/help/requests", data={"category": "unwell"})
    assert sent.status_code == 303 and "/sent" in sent.headers["Location"]
    unwell = db.session.scalars(select(HelpRequest).where(HelpRequest.category == "unwell")).all()
    assert len(unwell) == 1 and unwell[0].urgent


def test_worker_takes_resolves_and_resident_confirms(client, people, world, sign_in):
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(people.worker)
    queue = html(client.get("/help/queue"))
    assert queue.select_one(f"#queue a[href='/help/requests/{request.id}']")
    client.post(f"/help/requests/{request.id}/take")
    page = html(client.post(f"/help/requests/{request.id}/resolve", data={"text": ""}))
    assert page.select_one("#resolve-text-error")
    # The request's forms each name their own box, so each label finds its own.
    ids = [box["id"] for box in page.select("textarea")]
    assert len(ids) >= 3 and len(set(ids)) == len(ids)
    assert all(page.select_one(f"label[for='{box}']") for box in ids)
    client.post(f"/help/requests/{request.id}/resolve", data={"text": "换了水龙头"})
    sign_in.out()
    sign_in.resident(people.resident)
    mine = html(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "王芳 says it is done" in mine.get_text() and "换了水龙头" in mine.get_text()
    client.post(f"/help/requests/{request.id}/confirm", data={"fixed": "yes"})
    db.session.expire_all()
    assert help.get(request.id).status == Status.CLOSED


def test_second_worker_is_told_who_has_it(client, people, sign_in):
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    help.take(request, people.worker)
    sign_in.password(people.other_worker)
    response = client.post(f"/help/requests/{request.id}/take", follow_redirects=True)
    assert "王芳 has already taken this request" in text_of(response)


def test_volunteer_cannot_take_a_repair_and_does_not_see_care_colour(client, people, sign_in):
    people.resident.care_colour = "red"
    db.session.commit()
    repair, _ = help.raise_request(people.resident, "repair", people.resident)
    errand, _ = help.raise_request(people.resident, "errand", people.resident)
    sign_in.password(people.volunteer)
    assert client.get(f"/help/requests/{repair.id}").status_code == 403
    page = html(client.get(f"/help/requests/{errand.id}"))
    assert "王桂兰" in page.get_text() and "Care colour" not in page.get_text()
    client.post(f"/help/requests/{errand.id}/take")
    db.session.expire_all()
    assert help.get(errand.id).holder_id == people.volunteer.id


def test_worker_of_another_grid_gets_403(client, people, world, sign_in):
    from portal.community.models import Grid

    other_grid = Grid(name="第二网格", community=world.community)
    db.session.add(other_grid)
    db.session.commit()
    outsider = world.person(Role.GRID_WORKER, grid=other_grid)
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(outsider)
    assert client.post(f"/help/requests/{request.id}/take").status_code == 403


def test_resolving_a_closed_request_is_refused_with_a_message(client, people, sign_in):
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    help.take(request, people.worker)
    help.resolve(request, people.worker, "done")
    help.confirm(request, people.resident, fixed=True)
    sign_in.password(people.worker)
    response = client.post(
        f"/help/requests/{request.id}/resolve", data={"text": "again"}, follow_redirects=True
    )
    assert "This cannot be done now" in text_of(response)


def test_hand_off_to_a_partner(client, people, world, sign_in):
    partner = Partner(community=world.community, name="物业服务中心")
    db.session.add(partner)
    db.session.commit()
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    help.take(request, people.worker)
    sign_in.password(people.worker)
    client.post(
        f"/help/requests/{request.id}/hand-off", data={"partner": partner.id, "text": "请上门维修"}
    )
    page = html(client.get(f"/help/requests/{request.id}"))
    assert "物业服务中心" in page.select_one(".history").get_text()


def test_queue_as_page_and_fragment_with_etag_and_304(client, people, sign_in, htmx):
    help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(people.worker)
    page = client.get("/help/queue")
    assert html(page).select_one("h1") and page.headers["ETag"]
    fragment = htmx("get", "/help/queue", target="queue")
    body = fragment.get_data(as_text=True)
    assert body.startswith('<div id="queue"') and "<h1" not in body
    assert "HX-Target" in fragment.headers["Vary"]
    unchanged = htmx(
        "get", "/help/queue", target="queue", headers={"If-None-Match": fragment.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    help.raise_request(people.resident, "unwell", people.resident)
    changed = htmx(
        "get", "/help/queue", target="queue", headers={"If-None-Match": fragment.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert html(changed).select_one("#queue")["data-urgent-ids"]


def test_queue_page_applies_escalation_on_read(app, client, people, world, sign_in):
    from datetime import timedelta

    from portal.model_base import utcnow

    admin = world.person(Role.ADMIN)
    request, _ = help.raise_request(
        people.resident, "unwell", people.resident, now=utcnow() - timedelta(minutes=6)
    )
    sign_in.password(admin)
    page = html(client.get("/help/queue"))
    assert page.select_one(f"a[href='/help/requests/{request.id}']")
    assert "Escalated to: Community" in page.get_text()


def test_family_inbox_lists_status_changes(client, people, sign_in):
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    help.take(request, people.worker)
    sign_in.password(people.family)
    page = html(client.get("/inbox"))
    texts = [li.get_text(" ", strip=True) for li in page.select(".card")]
    assert any("is now: Taken" in t for t in texts)
    assert page.select_one(f".card a[href='/help/residents/{people.resident.id}/requests']")


def test_escalate_and_notify_commands(runner, people):
    help.raise_request(people.resident, "repair", people.resident)
    result = runner.invoke(args=["escalate"])
    assert result.exit_code == 0 and "to community: 0" in result.output
    result = runner.invoke(args=["notify"])
    # The resident and their daughter, and the grid's two workers.
    assert result.exit_code == 0 and result.output.startswith("sent: 4,")


def test_report_page_csv_and_bad_dates(client, people, world, sign_in):
    request, _ = help.raise_request(people.resident, "repair", people.resident)
    help.take(request, people.worker)
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.get("/help/reports"))
    assert (
        page.select_one("svg[role=img]") and world.grid.name in page.select_one("table").get_text()
    )
    csv = client.get("/help/reports.csv", query_string={"by": "category"})
    assert csv.headers["Content-Type"].startswith("text/csv") and b"repair,1" in csv.data
    bad = html(
        client.get("/help/reports", query_string={"start": "2026-03-05", "end": "2026-03-01"})
    )
    assert "on or after the start date" in bad.select_one("#end-error").get_text()
    assert client.get("/help/reports.csv", query_string={"start": "nonsense"}).status_code == 422


def test_admin_adds_partners_for_their_community(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.post("/admin/partners", data={"name": "", "phone": "abc"}))
    assert page.select_one("#name-error") and page.select_one("#phone-error")
    client.post("/admin/partners", data={"kind": "water", "name": "自来水公司", "phone": "96106"})
    assert "自来水公司 · Water company" in text_of(client.get("/admin/partners"))


def test_the_request_page_says_whom_to_phone(client, people, sign_in):
    """The resident's own number and their family's, each a tap-to-call link saying whose it is;
    whoever saw the sign (a volunteer at the door) is named apart, never as the resident."""
    people.resident.phone = "13712345678"
    db.session.commit()
    found, _created = help.raise_alert(
        people.resident, "unwell", people.volunteer, source="delivery"
    )
    sign_in.password(people.worker)
    page = html(client.get(f"/help/requests/{found.id}"))
    facts = {
        dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in page.select("dl.facts dt")
    }
    assert facts["Their phone"].select_one("a[href='tel:13712345678']")
    asked = facts["Asked by"]
    assert "志愿者小张" in asked.get_text() and asked.select_one(
        f"a[href='tel:{people.volunteer.phone}']"
    )
    family = facts["Family"].get_text(" ", strip=True)
    assert "李娜 (Daughter)" in family
    assert facts["Family"].select_one(f"a[href='tel:{people.family.phone}']")

    # A volunteer who takes an errand sees the resident's number, not the family's.
    errand, _created = help.raise_request(people.resident, "errand", people.resident)
    sign_in.password(people.volunteer)
    page = html(client.get(f"/help/requests/{errand.id}"))
    assert page.select_one("a[href='tel:13712345678']")
    assert not page.select(f"a[href='tel:{people.family.phone}']")


def test_a_resident_without_a_phone_is_said_to_have_none(client, people, sign_in):
    found, _created = help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(people.worker)
    page = html(client.get(f"/help/requests/{found.id}"))
    assert "No phone number on record" in page.get_text()
    assert page.select_one(f"a[href='tel:{people.family.phone}']")


def _cards(page) -> list[str]:
    return [card.get_text(" ", strip=True) for card in page.select("#queue .queue__link")]


def _links(page) -> list[str]:
    return [card["href"] for card in page.select("#queue .queue__link")]


def test_queue_cards_say_who_what_where_and_stop_the_wait_when_taken(
    client, people, sign_in, clock
):
    from datetime import timedelta

    people.resident.unit, people.resident.room = "2", "403"
    db.session.commit()
    found, _created = help.raise_request(people.resident, "repair", people.resident)
    clock.shift(timedelta(minutes=12))
    help.take(found, people.worker)
    waiting, _created = help.raise_request(people.resident, "errand", people.resident)
    clock.shift(timedelta(minutes=30))
    sign_in.password(people.worker)
    taken_card, waiting_card = sorted(_cards(html(client.get("/help/queue"))), reverse=True)
    assert "Repair · 王桂兰" in taken_card and "1号楼, unit 2, room 403 · 第一网格" in taken_card
    assert "Waited 12 minutes" in taken_card and "Held by 王芳" in taken_card
    assert "Errand · 王桂兰" in waiting_card and "Waiting 30 minutes" in waiting_card
    client.set_cookie("linli_lang", "zh_Hans")
    page = html(client.get("/help/queue"))
    assert any("1号楼2单元403室" in card for card in _cards(page))


def test_queue_filters_count_and_narrow_with_or_without_htmx(client, people, sign_in, htmx):
    mine, _created = help.raise_request(people.resident, "repair", people.resident)
    help.take(mine, people.worker)
    theirs, _created = help.raise_request(people.resident, "paperwork", people.resident)
    help.take(theirs, people.other_worker)
    help.raise_request(people.resident, "errand", people.resident)
    sign_in.password(people.worker)
    page = html(client.get("/help/queue"))
    filters = {link.get_text(" ", strip=True): link for link in page.select(".queue-filters__link")}
    assert list(filters) == ["All 3", "Not taken 1", "Mine 1"]
    assert filters["All 3"]["aria-current"] == "page"
    not_taken = html(client.get(filters["Not taken 1"]["href"]))
    assert [c.split(" · ")[0] for c in _cards(not_taken)] == ["Errand"]
    assert not_taken.select_one("[aria-current=page]").get_text(" ", strip=True) == "Not taken 1"
    assert not_taken.select_one("#queue")["data-hx-get"] == "/help/queue?show=not_taken"
    polled = htmx("get", "/help/queue?show=mine", target="queue")
    assert [c.split(" · ")[0] for c in _cards(html(polled))] == ["Repair"]
    # An address typed by hand with an unknown filter shows them all (the waits tick on between
    # the two pages, so the cards are compared by where they lead).
    everything = html(client.get("/help/queue?show=rocket"))
    assert _links(everything) == _links(page) and len(_links(page)) == 3


def test_grids_say_their_community_where_the_queue_spans_two(client, people, world, sign_in):
    """Both communities have a 第一网格: a grid worker serving both must tell them apart."""
    other = Community(name="锦绣园社区", hotline="1", street_office=world.street)
    grid = Grid(name="第一网格", community=other)
    building = Building(name="9号楼", grid=grid)
    db.session.add_all([other, grid, building])
    people.worker.grants.append(RoleGrant(role=Role.GRID_WORKER, grid=grid))
    db.session.commit()
    neighbour = world.person(Role.RESIDENT, name="赵大爷", community=other, building=building)
    help.raise_request(people.resident, "repair", people.resident)
    help.raise_request(neighbour, "repair", neighbour)
    sign_in.password(people.worker)
    cards = _cards(html(client.get("/help/queue")))
    assert any("第一网格 · 测试社区" in card for card in cards)
    assert any("第一网格 · 锦绣园社区" in card for card in cards)
    sign_in.password(people.other_worker)
    assert not any("社区" in card for card in _cards(html(client.get("/help/queue"))))


def test_a_grid_worker_raises_a_request_for_a_resident_who_phoned(client, people, sign_in):
    sign_in.password(people.worker)
    assert html(client.get("/help/queue")).select_one("a[href='/help/for-resident']")
    refused = client.post("/help/for-resident", data={"code": "999999"})
    assert refused.status_code == 422
    page = html(refused)
    assert "Choose what they need" in page.select_one("#category-error").text
    assert "Choose how they asked" in page.select_one("#channel-error").text
    unknown = client.post(
        "/help/for-resident",
        data={"code": "999999", "category": "repair", "channel": "phone_call"},
    )
    assert "No resident you serve has this code" in html(unknown).select_one("#code-error").text
    raised = client.post(
        "/help/for-resident",
        data={
            "code": people.resident.resident_code,
            "category": "repair",
            "channel": "phone_call",
            "text": "厨房水管漏水",
        },
    )
    assert raised.status_code in (302, 303)
    detail = html(client.get(raised.headers["Location"]))
    assert "On the phone" in detail.get_text()
    client.post("/sign-out")
    sign_in.password(people.family)
    mine = html(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "Raised by 王芳 after your phone call" in mine.get_text()


def test_the_closed_requests_come_a_page_at_a_time_with_how_many(client, people, sign_in):
    now = utcnow()
    for minutes in range(55):
        request, _new = help.raise_for(
            people.resident,
            Category.COMPANY,
            people.worker,
            Source.VISIT,
            now=now - timedelta(hours=minutes),
        )
        request.status = Status.CLOSED
        request.closed_at = now - timedelta(minutes=minutes)
        request.dedupe_key = None
        db.session.commit()
    sign_in.password(people.worker)
    queue = html(client.get("/help/queue"))
    assert queue.select_one("a[href='/help/closed']")
    first = html(client.get("/help/closed"))
    assert first.select_one(".pager__count").get_text() == "1 to 50 of 55"
    assert len(first.select("tbody tr")) == 50
    last = html(client.get("/help/closed?page=2"))
    assert len(last.select("tbody tr")) == 5
    assert "Page 2 of 2" in last.select_one("nav.pager").get_text()


def test_every_staff_read_of_a_request_is_in_the_audit_log(client, people, sign_in):
    request, _new = help.raise_for(people.resident, Category.UNWELL, people.worker, Source.VISIT)
    sign_in.password(people.worker)
    client.get(f"/help/requests/{request.id}")
    client.get(f"/help/requests/{request.id}")
    reads = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "help.read")))
    assert [(e.actor_id, e.subject_id) for e in reads] == [
        (people.worker.id, people.resident.id)
    ] * 2
    assert reads[0].detail == {"request": request.reference}
    client.post("/sign-out")
    sign_in.password(people.admin)
    log = html(client.get("/admin/audit/"))
    assert "王芳 read 王桂兰's help request" in log.get_text()
