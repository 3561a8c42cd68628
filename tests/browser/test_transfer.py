"""What a kiosk downloads: the resident's home page on a cold cache fits in 60 KB on the wire,
all of it from the portal's own origin, text compressed, no web font (row 31); on a warm cache no
static file is fetched again."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.support import LiveServer, sign_in_at_kiosk

pytestmark = pytest.mark.browser

RESIDENT_FOR_TRANSFER = "100010"
BUDGET_BYTES = 60 * 1024
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
FONT_EXTENSIONS = (".woff", ".woff2", ".ttf", ".otf", ".eot")
HASHED_NAME = re.compile(r"-[0-9a-f]{32}\.\w+$")


@dataclass
class Fetch:
    url: str
    resource_type: str = ""
    mime_type: str = ""
    encoding: str = ""
    status: int = 0
    from_cache: bool = False
    decoded_bytes: int = 0
    wire_bytes: int = 0


@dataclass
class Recorder:
    """Every request one page makes, as Chromium's network panel sees it (CDP Network events)."""

    fetches: dict[str, Fetch] = field(default_factory=dict)

    def listen(self, context: BrowserContext, page: Page) -> None:
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event: dict) -> None:
        redirect = event.get("redirectResponse")
        if redirect:  # the same request id goes on to the new address
            earlier = self.fetches.pop(event["requestId"])
            earlier.status = redirect["status"]
            earlier.wire_bytes = redirect.get("encodedDataLength", 0)
            self.fetches[f"{event['requestId']}-{earlier.url}"] = earlier
        self.fetches[event["requestId"]] = Fetch(
            url=event["request"]["url"], resource_type=event.get("type", "")
        )

    def _received(self, event: dict) -> None:
        fetch, response = self.fetches[event["requestId"]], event["response"]
        headers = {name.lower(): value for name, value in response["headers"].items()}
        fetch.status = response["status"]
        fetch.mime_type = response["mimeType"]
        fetch.encoding = headers.get("content-encoding", "")
        fetch.resource_type = event.get("type", fetch.resource_type)
        fetch.from_cache = fetch.from_cache or bool(response.get("fromDiskCache"))

    def _from_cache(self, event: dict) -> None:
        self.fetches[event["requestId"]].from_cache = True

    def _data(self, event: dict) -> None:
        self.fetches[event["requestId"]].decoded_bytes += event["dataLength"]

    def _finished(self, event: dict) -> None:
        self.fetches[event["requestId"]].wire_bytes = int(event["encodedDataLength"])

    @property
    def total(self) -> int:
        return sum(fetch.wire_bytes for fetch in self.fetches.values())

    def report(self) -> str:
        rows = sorted(self.fetches.values(), key=lambda fetch: -fetch.wire_bytes)
        lines = [
            f"{fetch.wire_bytes:>7} {fetch.decoded_bytes:>7} {fetch.encoding or '-':<5} "
            f"{urlsplit(fetch.url).path}"
            for fetch in rows
        ]
        return "\n".join([f"{self.total} bytes on the wire:", *lines])


def load(context: BrowserContext, live: LiveServer) -> tuple[Page, Recorder]:
    """Open the kiosk home in a new tab of context and record what it fetches until it is idle."""
    page = context.new_page()
    recorder = Recorder()
    recorder.listen(context, page)
    page.goto(live("/"), wait_until="networkidle")
    assert page.url == live("/resident")
    return page, recorder


@pytest.fixture
def signed_in(new_context, live):
    """The cookies of a resident signed in at the kiosk, to carry into a context with no cache."""
    context = new_context(kiosk=True)
    sign_in_at_kiosk(context.new_page(), live, RESIDENT_FOR_TRANSFER)
    return context.storage_state()


def test_kiosk_home_first_load_fits_the_budget(new_context, live, signed_in):
    context = new_context(kiosk=True, storage_state=signed_in)
    _page, cold = load(context, live)
    print(cold.report())

    assert cold.total <= BUDGET_BYTES, cold.report()
    origins = {
        "{0.scheme}://{0.netloc}".format(urlsplit(fetch.url)) for fetch in cold.fetches.values()
    }
    assert origins == {live.url}
    fonts = [
        fetch.url
        for fetch in cold.fetches.values()
        if fetch.resource_type == "Font" or urlsplit(fetch.url).path.endswith(FONT_EXTENSIONS)
    ]
    assert not fonts
    min_size = live.app.config["COMPRESS_MIN_SIZE"]
    uncompressed = [
        fetch.url
        for fetch in cold.fetches.values()
        if fetch.mime_type.startswith(TEXT_TYPES)
        and fetch.decoded_bytes >= min_size
        and fetch.encoding not in ("gzip", "br")
    ]
    assert not uncompressed, cold.report()


def test_a_warm_cache_fetches_no_static_file_again(new_context, live, signed_in):
    context = new_context(kiosk=True, storage_state=signed_in)
    first, cold = load(context, live)
    static = [fetch.url for fetch in cold.fetches.values() if "/static/" in fetch.url]
    plain = [url for url in static if not HASHED_NAME.search(url)]
    assert static and not plain, f"not under hashed names: {plain}; run `portal digest compile`"
    first.close()

    _page, warm = load(context, live)
    fetched_again = [
        fetch.url
        for fetch in warm.fetches.values()
        if "/static/" in fetch.url and not fetch.from_cache
    ]
    assert not fetched_again, warm.report()
