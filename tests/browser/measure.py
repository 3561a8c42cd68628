"""Measurements axe cannot make: computed text sizes, target sizes and gaps, horizontal scrolling.

Everything is measured in CSS pixels in the page itself, then judged in Python against the bars
of ACCESSIBILITY.md, so a failure can name the element.
"""

from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# Links that stand on their own (not inline in a sentence) are targets too: see _STANDALONE_LINK.
TARGET_SELECTOR = ", ".join(
    [
        "button",
        "input:not([type=hidden])",
        "select",
        "textarea",
        "summary",
        "a.button",
        ".toolbar a",
        ".help-strip a",
        "a.tile",
        "a.back-link",
        ".staff-nav a",
        "a.skip-link",
        "a[href]",
    ]
)

_MEASURE = """
(selector) => {
  const html = document.documentElement;
  const style = (el) => getComputedStyle(el);
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    for (const c of el.classList) name += "." + c;
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "")
      .trim().replace(/\\s+/g, " ").slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    !el.closest(".visually-hidden");
  const rectBox = (r) =>
    ({ x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height });
  const boxOf = (el) => rectBox(el.getBoundingClientRect());
  // An inline link that wraps is one hit area per line: judge it by those, not their union.
  const partsOf = (el) => {
    if (style(el).display === "inline") {
      const parts = [...el.getClientRects()].filter((r) => r.width >= 1 && r.height >= 1);
      if (parts.length > 1) return parts.map(rectBox);
    }
    return [boxOf(el)];
  };
  const fit = (b) => Math.min(b.w, b.h);
  const onPage = (b) => b.w >= 1 && b.h >= 1 && b.y + b.h > 0 && b.x + b.w > 0;
  const isBlock = (el) => !getComputedStyle(el).display.startsWith("inline");

  // A link inside a sentence: its block holds words other than the link's own.
  const inSentence = (link) => {
    let block = link.parentElement;
    while (block && !isBlock(block)) block = block.parentElement;
    if (!block) return false;
    const own = link.textContent.replace(/\\s+/g, "");
    const all = block.textContent.replace(/\\s+/g, "");
    return all.length > own.length;
  };


  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.nodeValue.trim() || seen.has(el)) continue;
    seen.add(el);
    if (!shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    texts.push({ element: describe(el), size: parseFloat(style(el).fontSize) });
  }

  // While a modal dialog shows, it covers everything else: only its own targets can be pressed.
  const modal = [...document.querySelectorAll("[aria-modal=true]")].find(shown);
  const targets = [];
  const nodes = [];
  for (const el of (modal || document).querySelectorAll(selector)) {
    let hit = el;
    if (el.matches("input[type=radio], input[type=checkbox]")) hit = el.closest("label") || el;
    if (hit.matches("a[href]:not(.button, .tile, .back-link, .skip-link)") &&
        !hit.closest(".toolbar, .help-strip, .staff-nav") && inSentence(hit)) continue;
    if (nodes.includes(hit) || !shown(hit)) continue;
    const parts = partsOf(hit);
    if (!parts.some(onPage)) continue;
    nodes.push(hit);
    targets.push({
      element: describe(hit),
      box: parts.reduce((best, part) => (fit(part) > fit(best) ? part : best)),
      parts,
      primary: hit.matches(".button--primary, .keypad__key"),
      container: describe(hit.parentElement),
    });
  }
  const pairs = [];
  let compared = 0;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      if (nodes[i].contains(nodes[j]) || nodes[j].contains(nodes[i])) continue;
      compared++;
      let gap = Infinity;
      for (const a of targets[i].parts) {
        for (const b of targets[j].parts) {
          const dx = Math.max(0, b.x - (a.x + a.w), a.x - (b.x + b.w));
          const dy = Math.max(0, b.y - (a.y + a.h), a.y - (b.y + b.h));
          gap = Math.min(gap, Math.max(dx, dy));
        }
      }
      if (gap < 16) pairs.push({ a: targets[i].element, b: targets[j].element, gap });
    }
  }

  const viewport = document.querySelector("meta[name=viewport]");
  return {
    url: location.pathname,
    kiosk: html.classList.contains("layout-kiosk"),
    lang: html.getAttribute("lang"),
    viewport: viewport ? viewport.getAttribute("content") : null,
    root: parseFloat(style(html).fontSize),
    body: parseFloat(style(document.body).fontSize),
    headings: [...document.querySelectorAll("h1, .key-figure")].filter(shown)
      .map((el) => ({ element: describe(el), size: parseFloat(style(el).fontSize) })),
    texts,
    targets,
    pairs,
    compared,
    scrollWidth: html.scrollWidth,
    clientWidth: html.clientWidth,
  };
}
"""


# Row 32: where the page's <h1> ends, and where the first item after it begins (something to
# press, a list item or card, a field, a fact, a key figure such as a reference), in the first
# screen of the page at its top.
FIRST_ITEM_SELECTOR = (
    f"{TARGET_SELECTOR}, li, .card, .panel, .notice, tr, dd, .field, fieldset, .key-figure, "
    ".activity__status"
)
_FOLD = """
(selector) => {
  window.scrollTo(0, 0);
  const main = document.querySelector("main");
  const h1 = main && main.querySelector("h1");
  if (!h1) return null;
  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    !el.closest(".visually-hidden") && el.getBoundingClientRect().height >= 1;
  const first = [...main.querySelectorAll(selector)].find(
    (el) => h1.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING && shown(el)
  );
  const box = (el) => el.getBoundingClientRect();
  // With errors, the summary comes first and takes the focus: it is what must show.
  const summary = main.querySelector(".error-summary");
  if (summary && shown(summary)) return { screen: window.innerHeight, summary: box(summary).top };
  const name = (el) => el.tagName.toLowerCase() + [...el.classList].map((c) => "." + c).join("") +
    ` "${(el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 30)}"`;
  return {
    screen: window.innerHeight,
    h1: box(h1).bottom,
    first: first ? { element: name(first), top: box(first).top, height: box(first).height } : null,
  };
}
"""


@dataclass
class Metrics:
    """What one page measured: text sizes, targets and the gaps between them, scrolling."""

    url: str
    kiosk: bool
    lang: str
    viewport: str | None
    root: float
    body: float
    headings: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    pairs: list[dict] = field(default_factory=list)  # only those under 16 px apart
    compared: int = 0  # how many pairs of targets were measured apart
    scrollWidth: int = 0  # noqa: N815 - named as in the DOM
    clientWidth: int = 0  # noqa: N815
    fold: dict | None = None  # row 32, measured before any panel is opened


def above_the_fold(page: Page) -> dict | None:
    return page.evaluate(_FOLD, FIRST_ITEM_SELECTOR)


def open_panels(page: Page) -> None:
    """Open the folds and the toolbar's "Text size and colours" panel, so that what they hold is
    measured too."""
    page.evaluate(
        "() => document.querySelectorAll('details.fold, details.toolbar__details')"
        ".forEach((d) => { d.open = true; })"
    )


def measure(page: Page) -> Metrics:
    return Metrics(**page.evaluate(_MEASURE, TARGET_SELECTOR))


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it does not scroll)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Chromium lays boxes out in 1/64 px units; a gap of exactly 8 px may come back a unit short.
LAYOUT_UNIT = 1 / 64


def problems_on(page: Page) -> list[str]:
    """What fails the bars of ACCESSIBILITY.md on the page as it stands, in the page's own
    language and size: axe's WCAG violations (7:1 contrast included), targets under 44 px (60
    for a kiosk's primary buttons), targets closer than 8 px, and horizontal scrolling. For pages
    that only a journey reaches, because reaching them changes what is saved."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "rules": {"color-contrast-enhanced": {"enabled": True}},
    }
    found = [
        f"axe {violation['id']}: {node['target']}"
        for violation in Axe().run(page, options=options).response["violations"]
        for node in violation["nodes"]
    ]
    if horizontal_overflow(page) > 0:
        found.append(f"the page scrolls sideways by {horizontal_overflow(page)} px")
    open_panels(page)
    metrics = measure(page)
    for target in metrics.targets:
        least = 60 if metrics.kiosk and target["primary"] else 44
        width, height = target["box"]["w"], target["box"]["h"]
        if width + LAYOUT_UNIT < least or height + LAYOUT_UNIT < least:
            found.append(f"{target['element']} is {width:.1f} x {height:.1f} px, under {least}")
    found += [
        f"{pair['a']} and {pair['b']} are {pair['gap']:.2f} px apart"
        for pair in metrics.pairs
        if pair["gap"] + LAYOUT_UNIT < 8
    ]
    return found
