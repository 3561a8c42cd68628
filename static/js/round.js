/* A delivery round that works in a stairwell. The page and what it needs are kept on the phone,
   so that it opens without signal; a door marked without signal waits on the phone, with the
   time of the knock, and is sent when the phone is back online. Each marking carries a key of
   its own, so that sending it again (an answer that never came back) keeps it once. */
"use strict";

(() => {
  const box = document.getElementById("round-waiting");
  if (!box) return;
  const STORE = "linli-round-marks";
  const PAGES = "linli-rounds";
  const KEEP_PAGES_HOURS = 16;
  const words = box.dataset;
  let sending = false;

  const waiting = () => {
    try {
      return JSON.parse(localStorage.getItem(STORE) || "[]");
    } catch (error) {
      return [];
    }
  };
  const keep = (items) => localStorage.setItem(STORE, JSON.stringify(items));
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));
  const clock = (ms) => new Date(ms).toTimeString().slice(0, 5);
  const labelOf = (button) => Array.from(button.childNodes)
    .filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join("").trim();

  const field = (form, name, value) => {
    let input = form.querySelector(`input[name="${name}"]`);
    if (!input) {
      input = Object.assign(document.createElement("input"), { type: "hidden", name });
      form.append(input);
    }
    input.value = value;
  };

  /* How the round stands on this phone: the doors not sent yet, on the page and on each door. */
  const show = (note) => {
    const items = waiting();
    document.querySelectorAll(".drop__waiting").forEach((line) => line.remove());
    items.forEach((item) => {
      const row = document.getElementById(item.drop);
      if (!row) return;
      const line = Object.assign(document.createElement("p"), { className: "notice drop__waiting" });
      line.textContent = words.doorWaiting.replace("{outcome}", item.label).replace("{time}", clock(item.knocked));
      row.querySelector(".drop__name").after(line);
      row.querySelectorAll("button[name=outcome]").forEach((button) => {
        button.setAttribute("aria-pressed", String(button.value === item.outcome));
      });
    });
    const count = items.length;
    box.querySelector("[data-waiting-count]").textContent = note
      || (count === 1 ? words.one : words.many.replace("{n}", count));
    box.querySelector("[data-waiting-hint]").hidden = count === 0 || Boolean(note);
    box.hidden = count === 0 && !note;
  };

  const hold = (form, outcome, label) => {
    const items = waiting().filter((item) => item.key !== form.elements.key.value);
    items.push({
      key: form.elements.key.value,
      action: form.action,
      drop: form.closest("[id^='drop-']").id,
      outcome,
      label,
      note: form.elements.note ? form.elements.note.value : "",
      knocked: Number(form.elements.knocked_at.value),
      token: form.elements.csrf_token.value,
    });
    keep(items);
    show();
  };

  /* Every marking gets its key and the time of the knock before it leaves; without signal it
     stays here instead. */
  document.addEventListener("submit", (event) => {
    const form = event.target.closest(".drop__form");
    if (!form || !event.submitter) return;
    field(form, "key", newKey());
    field(form, "knocked_at", Date.now());
    field(form, "sent_at", Date.now());
    form.dataset.outcome = event.submitter.value;
    form.dataset.label = labelOf(event.submitter);
    if (navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    hold(form, event.submitter.value, form.dataset.label);
  }, true);

  /* Signal that comes and goes: a marking that could not be sent waits like the others. */
  const failed = (event) => {
    const form = event.detail.elt;
    if (form && form.matches && form.matches(".drop__form") && form.dataset.outcome) {
      hold(form, form.dataset.outcome, form.dataset.label);
    }
  };
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:timeout", failed);

  const freshToken = async () => {
    const page = await fetch(location.href, { credentials: "same-origin" });
    const found = new DOMParser().parseFromString(await page.text(), "text/html")
      .querySelector(".drop__form input[name=csrf_token]");
    return found ? found.value : null;
  };

  const post = (item, token) => {
    const body = new FormData();
    Object.entries({
      csrf_token: token, outcome: item.outcome, note: item.note, key: item.key,
      knocked_at: item.knocked, sent_at: Date.now(),
    }).forEach(([name, value]) => body.append(name, value));
    return fetch(item.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "HX-Target": item.drop },
    });
  };

  /* Send what waits, oldest first, each until the portal has answered it. */
  const send = async () => {
    if (sending || !navigator.onLine || waiting().length === 0) return;
    sending = true;
    let note = "";
    try {
      for (const item of waiting()) {
        let answer = await post(item, item.token);
        if (answer.status === 400) {
          const token = await freshToken();
          if (!token) break;
          keep(waiting().map((other) => ({ ...other, token })));
          answer = await post(item, token);
        }
        if (answer.redirected || answer.status === 401 || answer.status === 403) {
          note = words.signIn;
          break;
        }
        if (answer.status >= 500 || answer.status === 400) break;
        const html = await answer.text();
        keep(waiting().filter((other) => other.key !== item.key));
        const row = document.getElementById(item.drop);
        if (row && window.htmx) window.htmx.swap(row, html, { swapStyle: "outerHTML" });
      }
      if (!note && waiting().length === 0) note = words.sent;
    } catch (error) {
      note = "";
    } finally {
      sending = false;
      show(note);
    }
  };

  /* Keep this page, and what it is drawn with, for opening without signal; forget rounds kept
     more than a day's work ago. */
  const keepPage = async () => {
    if (!("caches" in window) || !navigator.onLine) return;
    const cache = await caches.open(PAGES);
    const assets = Array.from(document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=icon]"))
      .map((element) => element.href || element.src)
      .filter((url) => new URL(url).origin === location.origin);
    await cache.addAll([location.pathname, ...assets]);
    const oldest = Date.now() - KEEP_PAGES_HOURS * 3600 * 1000;
    for (const request of await cache.keys()) {
      const kept = await cache.match(request);
      const date = Date.parse(kept.headers.get("Date") || "");
      if (date && date < oldest) await cache.delete(request);
    }
  };

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(keepPage).catch(() => {});
  }
  window.addEventListener("online", send);
  window.addEventListener("offline", () => show());
  setInterval(send, 15000);
  show();
  send();
})();
