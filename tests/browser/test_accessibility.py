"""ACCESSIBILITY.md, measured in Chromium on every page there is so far.

Row 29: 0 axe-core violations on every page, in all three languages, at 100 % and 200 % text, in
every colour scheme (plus color-contrast-enhanced, 7:1, in the default scheme), and no check axe
could not decide but those in UNDECIDED_BUT_MET. Each page is checked in every language at both
sizes in the default scheme, and once in each other scheme, the four spread over the languages and
sizes; office staff's pages in the default scheme only.
Rows 1-3 and 10, which axe cannot judge: computed text sizes, target sizes and the gaps between
targets, at a 1280 x 800 tablet and a 390 x 844 phone. Row 4: no horizontal scroll at 200 % on a
320 px wide screen. Rows 27 and 28: <html lang>, and a viewport that lets people zoom.

Each browser context (one role, language, text size and colour scheme or viewport) visits all of
its role's pages once; the tests then judge one page each, so a failure names its page and a
known problem can be marked on that page alone.
"""

import itertools
import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.measure import (
    LAYOUT_UNIT,
    WCAG_TAGS,
    Metrics,
    above_the_fold,
    horizontal_overflow,
    measure,
    open_panels,
)
from tests.browser.pages import ROLES, ROLES_BY_NAME, Role
from tests.browser.support import (
    HTML_LANG,
    LANGUAGES,
    NARROW,
    PHONE,
    SCHEMES,
    TABLET,
    open_context,
)

pytestmark = pytest.mark.browser

SIZES = (100, 200)
VIEWPORTS = {"tablet": TABLET, "phone": PHONE}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9/]+", "_", text).strip("_") or "root"


# Where each scheme other than the default is checked: (language, text size).
SCHEME_CHECKS = {
    "bw": ("zh_Hans", 200),
    "yb": ("zh_Hant", 200),
    "by": ("en", 200),
    "yk": ("zh_Hans", 100),
}


def _combinations(role: Role, dimensions) -> list[tuple]:
    """Every combination of the dimensions' values, except that the colour schemes other than
    the default are each checked at their SCHEME_CHECKS language and size only, and not at all
    for office staff."""
    combinations = []
    for values in itertools.product(*dimensions):
        if SCHEMES in dimensions:
            language, size, scheme = values
            if scheme != "default" and (
                not role.every_scheme or SCHEME_CHECKS[scheme] != (language, size)
            ):
                continue
        combinations.append(values)
    return combinations


def _pages(check: str, *dimensions) -> list:
    """pytest params: role, page, then one value of each dimension; a context's pages together."""
    params = []
    for role in ROLES:
        for values in _combinations(role, dimensions):
            for visit in role.visits:
                id_ = "-".join([f"{role.name}:{_slug(visit.name)}", *map(str, values)])
                params.append(pytest.param(role.name, visit.name, *values, id=id_))
    return params


# Signing each role in once ---------------------------------------------------------------------


@pytest.fixture
def clock(suite_clock):
    """The suite's clock runs on through this module instead of starting over at each test: a
    role signs in once and its pages are visited during one test for the tests after it, and a
    session signed later than the clock reads is refused."""
    return suite_clock


@pytest.fixture(scope="module", autouse=True)
def patient_kiosk(live_server):
    """The kiosk waits an hour here: idle sign-out has its own tests in test_journeys.py."""
    config = live_server.app.config
    saved = {key: config[key] for key in ("KIOSK_IDLE_SECONDS", "KIOSK_WARNING_SECONDS")}
    config.update(KIOSK_IDLE_SECONDS=3600, KIOSK_WARNING_SECONDS=90)
    yield
    config.update(saved)


@pytest.fixture(scope="module")
def signed_in(browser, live_server, patient_kiosk) -> Callable[[Role], dict | None]:
    """The cookies of each role, signed in once through the real forms, for new contexts to reuse."""
    states: dict[str, dict | None] = {}

    def state(role: Role) -> dict | None:
        if role.sign_in is None:
            return None
        if role.name not in states:
            context = open_context(browser, live_server, kiosk=role.kiosk)
            try:
                role.sign_in(context.new_page(), live_server)
                states[role.name] = context.storage_state()
            finally:
                context.close()
        return states[role.name]

    return state


class PageCache:
    """Results per page, computed for all of a role's pages in one context the first time asked."""

    def __init__(self, browser, live_server, signed_in, look):
        self.browser, self.live, self.signed_in, self.look = browser, live_server, signed_in, look
        self.results: dict[tuple, dict] = {}

    def get(self, role_name: str, page_name: str, **preferences):
        key = (role_name, repr(sorted(preferences.items())))
        if key not in self.results:
            self.results[key] = self._visit(ROLES_BY_NAME[role_name], preferences)
        result = self.results[key][page_name]
        if isinstance(result, BaseException):
            raise result
        return result

    def _visit(self, role: Role, preferences: dict) -> dict:
        results: dict = {}
        context = open_context(
            self.browser,
            self.live,
            storage_state=self.signed_in(role),
            kiosk=role.kiosk,
            **preferences,
        )
        try:
            page = context.new_page()
            for visit in role.visits:
                try:
                    visit.go(page, self.live)
                    results[visit.name] = self.look(page, preferences)
                except Exception as error:  # reported by the test of that page
                    results[visit.name] = error
        finally:
            context.close()
        return results


# Row 29: axe-core ------------------------------------------------------------------------------


def _run_axe(page, preferences: dict) -> dict[str, list[dict]]:
    """axe's violations, and the checks it could not decide ("incomplete"), on the page."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations", "incomplete"],
    }
    if preferences["scheme"] == "default":
        # A rule named in "rules" runs whatever the tags say: 7:1 contrast, default scheme only.
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    response = Axe().run(page, options=options).response
    return {"violations": response["violations"], "incomplete": response["incomplete"]}


@pytest.fixture(scope="module")
def axe_results(browser, live_server, signed_in) -> PageCache:
    return PageCache(browser, live_server, signed_in, _run_axe)


# axe's "incomplete" results are checks it could not decide. Each fails the test unless its rule,
# its element (a piece of the element's tag) and all of axe's reasons for it are listed here, and
# the page has been checked by hand to meet the rule there.
UNDECIDED_BUT_MET = {
    # The help reports' bar chart: its labels and counts are SVG text in --fg straight on the
    # page's --bg (the body text's colours, 7:1 and more in every scheme), left and right of the
    # bars and never over them (at 200 % the labels end at x=144 and the bars start at x=220).
    # axe judges no text inside an image (imgNode), nor text as short as a count (shortTextContent).
    "chart text": ("color-contrast", 'class="chart__', {"imgNode", "shortTextContent"}),
    # The kiosk's idle warning: its text is --fg on the warning box's own opaque --bg. Where the
    # text wraps over two different parts of the page behind the box (in English at 100 %), axe
    # gives up on it (elmPartiallyObscuring); elsewhere it judges the same text and passes it.
    "idle warning": ("color-contrast", 'id="idle-warning-text"', {"elmPartiallyObscuring"}),
    # The round sheet: axe loses the "Refused" header's cells when a floor's row-group header
    # (<th scope=rowgroup colspan=9>) stands between them; with that row gone, or made a <td>, it
    # finds them. In the HTML table model a row-group header does not block the column headers.
    "round sheet": ("th-has-data-cells", "round-sheet__table", {"th-has-data-cells"}),
}


def _reasons(node: dict) -> set[str]:
    """Why axe could not decide on an element: its checks' message keys, or else their ids."""
    reasons = set()
    for check in node["any"] + node["all"] + node["none"]:
        data = check.get("data")
        key = data.get("messageKey") if isinstance(data, dict) else None
        reasons.add(key or check["id"])
    return reasons


def _undecided(incomplete: list[dict]) -> list[str]:
    """axe's undecided checks, one line per element, but for those UNDECIDED_BUT_MET lists."""
    lines = []
    for rule in incomplete:
        for node in rule["nodes"]:
            reasons = _reasons(node)
            if reasons and any(
                rule["id"] == met_rule and element in node["html"] and reasons <= met_reasons
                for met_rule, element, met_reasons in UNDECIDED_BUT_MET.values()
            ):
                continue
            lines.append(
                f"  {rule['id']} on {' '.join(map(str, node['target']))} "
                f"({', '.join(sorted(reasons))}) - {rule['help']}"
            )
    return lines


def _describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        node = violation["nodes"][0]
        summary = " ".join((node.get("failureSummary") or "").split())[:300]
        lines.append(
            f"  {violation['id']} ({violation['impact']}, {len(violation['nodes'])} element(s)): "
            f"first {' '.join(map(str, node['target']))} - {violation['help']}. {summary}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("role", "page_name", "language", "size", "scheme"),
    _pages("axe", LANGUAGES, SIZES, SCHEMES),
)
def test_no_axe_violations(axe_results, role, page_name, language, size, scheme):
    results = axe_results.get(role, page_name, language=language, size=size, scheme=scheme)
    violations = results["violations"]
    assert not violations, (
        f"{page_name} (as {role}) in {language} at {size}% in the {scheme} scheme has "
        f"{len(violations)} axe violation(s):\n{_describe_violations(violations)}"
    )


@pytest.mark.parametrize(
    ("role", "page_name", "language", "size", "scheme"),
    _pages("undecided", LANGUAGES, SIZES, SCHEMES),
)
def test_no_undecided_axe_checks(axe_results, role, page_name, language, size, scheme):
    """What axe could not decide fails too, unless UNDECIDED_BUT_MET says why the page meets it."""
    results = axe_results.get(role, page_name, language=language, size=size, scheme=scheme)
    undecided = _undecided(results["incomplete"])
    assert not undecided, (
        f"{page_name} (as {role}) in {language} at {size}% in the {scheme} scheme has "
        f"{len(undecided)} check(s) axe could not decide:\n" + "\n".join(undecided)
    )


# Rows 1-3, 10, 27, 28: measured at a tablet and a phone ----------------------------------------


def _measure(page, preferences: dict) -> tuple[Metrics, int]:
    overflow = horizontal_overflow(page)
    fold = above_the_fold(page)
    open_panels(page)
    measured = measure(page)
    measured.fold = fold
    return measured, max(overflow, horizontal_overflow(page))


@pytest.fixture(scope="module")
def metrics(browser, live_server, signed_in) -> PageCache:
    return PageCache(browser, live_server, signed_in, _measure)


def _where(page_name, role, language, size, viewport) -> str:
    return f"{page_name} (as {role}) in {language} at {size}% on the {viewport}"


MEASURED = (VIEWPORTS, SIZES, LANGUAGES)
MEASURED_NAMES = ("role", "page_name", "viewport", "size", "language")


def _get_metrics(metrics, role, page_name, viewport, size, language) -> Metrics:
    measured, _overflow = metrics.get(
        role, page_name, viewport=VIEWPORTS[viewport], size=size, language=language
    )
    return measured


@pytest.mark.parametrize(MEASURED_NAMES, _pages("text", *MEASURED))
def test_text_sizes(metrics, role, page_name, viewport, size, language):
    """Rows 1-3, with every size scaled by the text-size step."""
    m = _get_metrics(metrics, role, page_name, viewport, size, language)
    where = _where(page_name, role, language, size, viewport)
    scale = size / 100
    problems = []
    if abs(m.root - 16 * scale) > 0.01:
        problems.append(f"root font size is {m.root} px, not {16 * scale} px")
    if m.kiosk:
        body, smallest = 24 * scale, 18 * scale
        problems += [
            f"{h['element']} is {h['size']} px, under {30 * scale} px"
            for h in m.headings
            if h["size"] < 30 * scale
        ]
    else:
        body, smallest = (17 if language == "en" else 18) * scale, 14 * scale
    if m.body < body:
        problems.append(f"body text is {m.body} px, under {body} px")
    assert m.texts and m.headings, (
        f"{where}: no text or no heading found: the measurement is broken"
    )
    small = [t for t in m.texts if t["size"] < smallest]
    problems += [f"{t['element']} is {t['size']} px, under {smallest} px" for t in small[:10]]
    assert not problems, f"{where} ({'kiosk' if m.kiosk else 'phone'} layout):\n  " + "\n  ".join(
        problems
    )


@pytest.mark.parametrize(MEASURED_NAMES, _pages("targets", *MEASURED))
def test_target_sizes(metrics, role, page_name, viewport, size, language):
    """Row 10: kiosk primary buttons and keypad keys 60 x 60 px, every other target 44 x 44 px."""
    m = _get_metrics(metrics, role, page_name, viewport, size, language)
    problems = []
    for target in m.targets:
        least = 60 if m.kiosk and target["primary"] else 44
        width, height = target["box"]["w"], target["box"]["h"]
        if width + LAYOUT_UNIT < least or height + LAYOUT_UNIT < least:
            problems.append(f"{target['element']} is {width:.1f} x {height:.1f} px, under {least}")
    assert m.targets, "no targets found: the measurement is broken"
    assert not problems, f"{_where(page_name, role, language, size, viewport)}:\n  " + "\n  ".join(
        problems
    )


@pytest.mark.parametrize(MEASURED_NAMES, _pages("spacing", *MEASURED))
def test_target_spacing(metrics, role, page_name, viewport, size, language):
    """Row 10: at least 8 px between any two targets."""
    m = _get_metrics(metrics, role, page_name, viewport, size, language)
    where = _where(page_name, role, language, size, viewport)
    assert m.compared, f"{where}: no two targets measured apart: the measurement is broken"
    close = [pair for pair in m.pairs if pair["gap"] + LAYOUT_UNIT < 8]
    assert not close, f"{where}:\n  " + "\n  ".join(
        f"{pair['a']} and {pair['b']} are {pair['gap']:.2f} px apart" for pair in close
    )


@pytest.mark.parametrize(MEASURED_NAMES, _pages("scroll", *MEASURED))
def test_no_horizontal_scroll(metrics, role, page_name, viewport, size, language):
    _measured, overflow = metrics.get(
        role, page_name, viewport=VIEWPORTS[viewport], size=size, language=language
    )
    assert overflow <= 0, (
        f"{_where(page_name, role, language, size, viewport)} scrolls sideways by {overflow} px"
    )


@pytest.mark.parametrize(MEASURED_NAMES, _pages("language", *MEASURED))
def test_language_and_zoom(metrics, role, page_name, viewport, size, language):
    """Rows 27 and 28: <html lang> names the language; the viewport never stops zooming."""
    m = _get_metrics(metrics, role, page_name, viewport, size, language)
    where = _where(page_name, role, language, size, viewport)
    assert m.lang == HTML_LANG[language], f"{where}: <html lang> is {m.lang!r}"
    assert m.viewport, f"{where}: no <meta name=viewport>"
    settings = {}
    for part in m.viewport.lower().split(","):
        name, _, value = part.partition("=")
        settings[name.strip()] = value.strip()
    assert settings.get("user-scalable", "yes") not in ("no", "0"), f"{where}: {m.viewport}"
    if "maximum-scale" in settings:
        assert float(settings["maximum-scale"]) >= 5, f"{where}: {m.viewport}"


# Row 32: the heading and the first thing to press, without scrolling --------------------------


def _fold_pages() -> list:
    """Every page on a phone at 100 %, and the kiosk's pages on the tablet at 200 % too."""
    on_phone = _pages("fold", ["phone"], [100], LANGUAGES)
    on_kiosk = [
        param
        for param in _pages("fold", ["tablet"], [200], LANGUAGES)
        if ROLES_BY_NAME[param.values[0]].kiosk
    ]
    return on_phone + on_kiosk


@pytest.mark.parametrize(MEASURED_NAMES, _fold_pages())
def test_heading_and_first_item_above_the_fold(metrics, role, page_name, viewport, size, language):
    """Row 32: the <h1>, and a target's height (44 px) of the first item after it, are on the
    first screen, under the page furniture (which folds on a phone and at large text)."""
    m = _get_metrics(metrics, role, page_name, viewport, size, language)
    where = _where(page_name, role, language, size, viewport)
    fold = m.fold
    assert fold is not None, f"{where}: no <h1> in <main>"
    if "summary" in fold:
        assert fold["summary"] + 44 <= fold["screen"], (
            f"{where}: the error summary starts at {fold['summary']:.0f} px, "
            f"below the {fold['screen']} px screen"
        )
        return
    assert fold["h1"] <= fold["screen"], (
        f"{where}: the <h1> ends at {fold['h1']:.0f} px, below the {fold['screen']} px screen"
    )
    first = fold["first"]
    if first is not None:
        shown_to = first["top"] + min(first["height"], 44)
        assert shown_to <= fold["screen"], (
            f"{where}: {first['element']} starts at {first['top']:.0f} px; "
            f"the screen is {fold['screen']} px"
        )


# Row 4: 200 % on a 320 px wide screen ----------------------------------------------------------


@pytest.fixture(scope="module")
def narrow(browser, live_server, signed_in) -> PageCache:
    return PageCache(browser, live_server, signed_in, lambda page, _prefs: _narrow_overflow(page))


def _narrow_overflow(page) -> dict:
    closed = horizontal_overflow(page)
    open_panels(page)
    return {"toolbar closed": closed, "toolbar panel open": horizontal_overflow(page)}


@pytest.mark.parametrize(("role", "page_name", "language"), _pages("narrow", LANGUAGES))
def test_no_horizontal_scroll_at_320px_and_200_percent(narrow, role, page_name, language):
    overflow = narrow.get(role, page_name, viewport=NARROW, size=200, language=language)
    wide = {state: pixels for state, pixels in overflow.items() if pixels > 0}
    assert not wide, (
        f"{page_name} (as {role}) in {language} at 200% on a 320 px screen scrolls sideways: "
        + ", ".join(f"by {pixels} px with the {state}" for state, pixels in wide.items())
    )
