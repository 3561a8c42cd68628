/* Linli's service worker: shows the messages pushed to this phone, and opens one when tapped. */
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
