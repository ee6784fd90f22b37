// TickIt's service worker, served at /sw.js so its scope is the whole app ("/").
// It shows the Web Push notifications the server sends, and opens their ticket on click.
// The payload is JSON: {"title": "HH-42 · New ticket", "body": "<ticket title>", "url": "/tickets/HH-42",
// "tag": "ticket-HH-42"}. A newer notification with the same tag replaces the older one for that ticket.
/* eslint-env serviceworker */

const FALLBACK_TITLE = "TickIt";
// The app's own icon beside the notification, and the monochrome mark Android shows in the status bar.
const ICON = "/icon-192.png";
const BADGE = "/badge-96.png";

function readPayload(event) {
  if (!event.data) return {};
  try {
    const value = event.data.json();
    return value && typeof value === "object" ? value : {};
  } catch (error) {
    // Not JSON: show the text rather than lose the notification.
    return { body: event.data.text() };
  }
}

// Only paths on this app are opened; anything else falls back to the start page.
function appUrl(path) {
  try {
    const url = new URL(typeof path === "string" && path ? path : "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const payload = readPayload(event);
  const options = {
    body: typeof payload.body === "string" ? payload.body : "",
    icon: ICON,
    badge: BADGE,
    data: { url: appUrl(payload.url) },
  };
  if (typeof payload.tag === "string" && payload.tag) {
    options.tag = payload.tag;
    options.renotify = true;
  }
  const title = typeof payload.title === "string" && payload.title ? payload.title : FALLBACK_TITLE;
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = appUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      // A tab already on the ticket is focused. Other TickIt tabs are left alone: one may hold a
      // half-written reply, which navigating it away would lose.
      const same = tabs.find((tab) => tab.url.split("#")[0].replace(/\/$/, "") === target.replace(/\/$/, ""));
      if (same) return same.focus();
      return self.clients.openWindow(target);
    })(),
  );
});
