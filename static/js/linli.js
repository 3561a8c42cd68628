/* Linli's own script. Everything here improves a page that already works without it. */
(function () {
  "use strict";

  var SPEECH_LANG = { "zh-Hans": "zh-CN", "zh-Hant": "zh-TW", en: "en-GB" };

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  /* Say text in the status region. heardOnly: for screen readers alone, where the page already
     shows it (the new day's heading, the dots of a code), so that nothing moves on screen. */
  function announce(text, heardOnly) {
    var region = document.getElementById("status");
    if (!region) return;
    var line = document.createElement("p");
    line.className = heardOnly ? "visually-hidden" : "notice notice--info";
    line.textContent = text;
    region.replaceChildren(line);
  }

  function speak(text, onEnd) {
    if (!("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    var utterance = new SpeechSynthesisUtterance(text);
    var lang = document.documentElement.lang;
    utterance.lang = SPEECH_LANG[lang] || lang;
    if (onEnd) utterance.onend = onEnd;
    window.speechSynthesis.speak(utterance);
  }

  /* Read-aloud (row 26): reads the main content in the page's language. */
  function setUpReadAloud() {
    var button = document.querySelector("[data-read-aloud]");
    if (!button || !("speechSynthesis" in window)) return;
    var label = button.querySelector("[data-read-aloud-label]");
    button.hidden = false;
    function show(reading) {
      button.setAttribute("aria-pressed", reading ? "true" : "false");
      label.textContent = reading ? label.dataset.stop : label.dataset.start;
    }
    button.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        show(false);
        return;
      }
      var main = document.getElementById("main");
      speak(main ? main.innerText : document.body.innerText, function () { show(false); });
      show(true);
    });
  }

  /* Keypad: with JavaScript a key types into its field instead of posting the form. */
  function setUpKeypads() {
    document.querySelectorAll("[data-keypad-for]").forEach(function (pad) {
      var input = document.getElementById(pad.dataset.keypadFor);
      if (!input) return;
      pad.addEventListener("click", function (event) {
        var key = event.target.closest("button[name=key]");
        if (!key) return;
        event.preventDefault();
        var value = input.value;
        if (/^[0-9]$/.test(key.value)) {
          if (value.length < 12) value += key.value;
        } else if (key.value === "delete") {
          value = value.slice(0, -1);
        } else if (key.value === "clear") {
          value = "";
        }
        input.value = value;
        if (input.type === "password") {
          announce(pad.dataset.countTemplate.replace("{count}", value.length), true);
        }
      });
    });
  }

  /* Focus (rows 17 and 23): the error summary on load, the new heading after an htmx swap, or
     the control the reader just chose where the swap redraws it (a day picker), so that nothing
     jumps. */
  function focusFirst(root) {
    var target =
      root.querySelector("[data-focus-on-load], .error-summary") ||
      root.querySelector("[data-focus-after-swap]") ||
      root.querySelector("h1, h2");
    if (!target) return;
    var focusable = target.matches("a[href], button, input, select, textarea");
    if (!focusable && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }

  function setUpFocus() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    document.body.addEventListener("htmx:afterSwap", function (event) {
      /* A list refreshing itself must never move the reader's focus. */
      if (event.detail.elt && event.detail.elt.hasAttribute("data-etag-poll")) return;
      /* An outerHTML swap replaces the target: look the new element up by its id. */
      var swapped = document.getElementById(event.detail.target.id) || event.detail.target;
      var note = swapped.querySelector("[data-announce]");
      if (note) announce(note.dataset.announce, true);
      focusFirst(swapped);
    });
    document.body.addEventListener("htmx:responseError", function () {
      var region = document.getElementById("status");
      if (region) announce(region.dataset.errorMessage);
    });
  }

  /* Kiosk idle sign-out (row 15): a stated time, a shown and spoken warning, "I'm still here". */
  function setUpIdleWarning() {
    var body = document.body;
    var idleSeconds = parseInt(body.dataset.idleSeconds, 10);
    var warningSeconds = parseInt(body.dataset.warningSeconds, 10);
    var dialog = document.querySelector("[data-idle-warning]");
    if (!idleSeconds || !dialog) return;
    var text = dialog.querySelector("[data-idle-text]");
    var lastServerContact = Date.now();
    var warned = false;
    var returnFocus = null;

    function keepAlive() {
      lastServerContact = Date.now();
      return fetch(body.dataset.stillHereUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
    }

    function signOut() {
      var form = document.querySelector("[data-sign-out-form]");
      if (form) form.submit();
    }

    function hideWarning() {
      warned = false;
      dialog.hidden = true;
      if ("speechSynthesis" in window) window.speechSynthesis.cancel();
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    }

    function showWarning(secondsLeft) {
      warned = true;
      returnFocus = document.activeElement;
      dialog.hidden = false;
      text.textContent = text.dataset.template.replace("{seconds}", secondsLeft);
      dialog.querySelector("[data-still-here]").focus();
      speak(dialog.querySelector("#idle-warning-title").textContent + " " + text.textContent);
    }

    /* Taps that do not reach the server still count: tell it at most once a minute. */
    function activity() {
      if (!warned && Date.now() - lastServerContact > 60000) keepAlive();
    }

    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, activity, { passive: true, capture: true });
    });
    document.body.addEventListener("htmx:afterRequest", function () {
      lastServerContact = Date.now();
    });

    dialog.querySelector("[data-still-here]").addEventListener("click", function () {
      keepAlive();
      hideWarning();
    });
    dialog.querySelector("[data-sign-out-now]").addEventListener("click", signOut);
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        keepAlive();
        hideWarning();
      }
    });

    window.setInterval(function () {
      /* The server's clock restarts at every request; sign out a little before it would. */
      var left = Math.ceil(idleSeconds - (Date.now() - lastServerContact) / 1000 - 2);
      if (left <= 0) {
        signOut();
      } else if (left <= warningSeconds) {
        if (!warned) {
          showWarning(left);
        } else {
          text.textContent = text.dataset.template.replace("{seconds}", left);
        }
      }
    }, 1000);
  }

  /* Polling with ETag: send back the last ETag so an unchanged list costs a 304 and no swap. */
  function setUpEtagPolling() {
    var etags = {};
    var urgentSeen = {};
    function remember(elt) {
      (elt.dataset.urgentIds || "").split(" ").filter(Boolean).forEach(function (id) {
        urgentSeen[id] = true;
      });
    }
    document.querySelectorAll("[data-etag-poll]").forEach(remember);
    document.body.addEventListener("htmx:configRequest", function (event) {
      var elt = event.detail.elt;
      if (elt.hasAttribute("data-etag-poll") && etags[elt.id]) {
        event.detail.headers["If-None-Match"] = etags[elt.id];
      }
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var elt = event.detail.elt;
      var etag = event.detail.xhr && event.detail.xhr.getResponseHeader("ETag");
      if (elt.hasAttribute("data-etag-poll") && etag) etags[elt.id] = etag;
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var fresh = document.getElementById(event.detail.target.id) || event.detail.target;
      if (!fresh.hasAttribute || !fresh.hasAttribute("data-etag-poll")) return;
      var ids = (fresh.dataset.urgentIds || "").split(" ").filter(Boolean);
      var isNew = ids.some(function (id) { return !urgentSeen[id]; });
      remember(fresh);
      if (isNew) announce(fresh.dataset.urgentMessage);
    });
  }

  /* Dictation: on browsers with speech recognition, a spoken note is typed into the field. */
  function setUpDictation() {
    var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    if (!Recognition) return;
    document.querySelectorAll("[data-dictate-into]").forEach(function (button) {
      var field = document.getElementById(button.dataset.dictateInto);
      if (!field) return;
      button.closest("[data-dictation]").hidden = false;
      button.addEventListener("click", function () {
        var recognition = new Recognition();
        var lang = document.documentElement.lang;
        recognition.lang = SPEECH_LANG[lang] || lang;
        recognition.onresult = function (event) {
          var words = event.results[0][0].transcript;
          field.value = field.value ? field.value + " " + words : words;
          field.focus();
        };
        announce(button.dataset.listening);
        recognition.start();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpEtagPolling();
    setUpDictation();
    setUpReadAloud();
    setUpKeypads();
    setUpFocus();
    setUpIdleWarning();
  });
})();
