/* "Tell me on this phone": subscribe this browser to Web Push with the portal's VAPID key, and
   send the subscription to the portal; or take it back. Shown only where push can work. */
"use strict";

(() => {
  const box = document.querySelector("[data-push-key]");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const status = document.getElementById("push-status");
  const on = box.querySelector("[data-push-on]");
  const off = box.querySelector("[data-push-off]");
  const token = JSON.parse(document.body.dataset.hxHeaders || "{}")["X-CSRFToken"];

  const say = (text) => { status.textContent = text; };
  const key = (base64url) => {
    const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  };
  const post = (url, body) => fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const show = (subscribed) => { on.hidden = subscribed; off.hidden = !subscribed; };

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((registration) =>
    registration.pushManager.getSubscription().then((existing) => {
      box.hidden = false;
      show(Boolean(existing));
      on.addEventListener("click", async () => {
        try {
          if ((await Notification.requestPermission()) !== "granted") {
            say(box.dataset.pushDenied);
            return;
          }
          const made = await registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: key(box.dataset.pushKey),
          });
          const answer = await post("/account/push-subscriptions", made.toJSON());
          say((await answer.json()).message);
          show(answer.ok);
        } catch (error) {
          say(box.dataset.pushFailed);
        }
      });
      off.addEventListener("click", async () => {
        const current = await registration.pushManager.getSubscription();
        if (current) {
          await post("/account/push-subscriptions/remove", { endpoint: current.endpoint });
          await current.unsubscribe();
        }
        say(box.dataset.pushStopped);
        show(false);
      });
    }),
  );
})();
