/* Linli's service worker: shows the messages pushed to this phone, and opens one when tapped;
   and opens a delivery round kept on the phone (by round.js) when there is no signal. */
"use strict";

self.addEventListener("install", (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const message = event.data ? event.data.json() : {};
  event.waitUntil(
    self.registration.showNotification(message.title || "Linli", {
      body: message.body || "",
      icon: "/static/icons/linli-192.png",
      badge: "/static/icons/linli-192.png",
      data: { url: message.url || "/inbox" },
      requireInteraction: /urgent|紧急|緊急/i.test(message.title || ""),
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === url);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});

const KEPT = "linli-rounds";

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const kept = url.pathname.startsWith("/static/") || /^\/delivery\/rounds\/\d+$/.test(url.pathname);
  if (request.method !== "GET" || url.origin !== self.location.origin || !kept) return;
  event.respondWith(
    fetch(request).catch(() =>
      caches.open(KEPT)
        .then((cache) => cache.match(request, { ignoreSearch: true, ignoreVary: true }))
        .then((found) => found || Response.error())),
  );
});
