// Glue for Web Push on this device: asks permission, registers /sw.js (scope "/"), subscribes the browser with
// the server's VAPID public key and hands the subscription to the server; or unsubscribes it again.
// Props: vapidKey (base64url application server key), enabledHere (the server holds this browser's subscription),
// onBrowser({support, endpoint}) after every check, where support is unsupported | insecure | denied | default |
// granted and endpoint this browser's subscription endpoint ("" when none); onSubscribe({endpoint, p256dh, auth,
// application_server_key}); onUnsubscribe({endpoint}).
import React, { useCallback, useEffect, useRef, useState } from "react";
import { Button, Callout, Flex, Text } from "@radix-ui/themes";

const WORKER_URL = "/sw.js";
const SCOPE = "/";

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(subscription, vapidKey) {
  const used = subscription.options && subscription.options.applicationServerKey;
  if (!used) return true; // the browser does not say; assume the key it was made with is still ours
  const a = new Uint8Array(used);
  const b = keyBytes(vapidKey);
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function browserSupport() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    // Chrome hides these APIs on plain http pages other than localhost.
    return window.isSecureContext === false ? "insecure" : "unsupported";
  }
  return Notification.permission; // default | granted | denied
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.getRegistration(SCOPE);
  return registration ? registration.pushManager.getSubscription() : null;
}

export function PushControl({ vapidKey, enabledHere, onBrowser, onSubscribe, onUnsubscribe }) {
  const handlers = useRef({});
  handlers.current = { onBrowser, onSubscribe, onUnsubscribe };
  const [support, setSupport] = useState("checking");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const report = useCallback(async () => {
    const now = browserSupport();
    setSupport(now);
    let endpoint = "";
    if (now !== "unsupported" && now !== "insecure") {
      try {
        const subscription = await currentSubscription();
        endpoint = subscription ? subscription.endpoint : "";
      } catch (err) {
        endpoint = "";
      }
    }
    if (handlers.current.onBrowser) handlers.current.onBrowser({ support: now, endpoint });
    return now;
  }, []);

  useEffect(() => {
    report();
  }, [report]);

  const enable = async () => {
    setBusy(true);
    setError("");
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        await report();
        return;
      }
      const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: SCOPE });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameKey(subscription, vapidKey)) {
        await subscription.unsubscribe(); // made with a key this server no longer has: useless
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(vapidKey),
        });
      }
      const json = subscription.toJSON();
      const keys = json.keys || {};
      handlers.current.onSubscribe({
        endpoint: json.endpoint || subscription.endpoint,
        p256dh: keys.p256dh || "",
        auth: keys.auth || "",
        application_server_key: vapidKey,
      });
      await report();
    } catch (err) {
      setError(`The browser could not subscribe: ${err && err.message ? err.message : err}`);
    } finally {
      setBusy(false);
    }
  };

  const disable = async () => {
    setBusy(true);
    setError("");
    try {
      const subscription = await currentSubscription();
      if (subscription) {
        const endpoint = subscription.endpoint;
        await subscription.unsubscribe();
        handlers.current.onUnsubscribe({ endpoint });
      }
      await report();
    } catch (err) {
      setError(`The browser could not unsubscribe: ${err && err.message ? err.message : err}`);
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (support === "checking") {
    body = <Text size="2" color="gray">Checking this browser…</Text>;
  } else if (support === "unsupported" || support === "insecure") {
    body = (
      <Callout.Root color="gray" size="1" role="status">
        <Callout.Text>
          {support === "insecure"
            ? "This browser offers push notifications only on https pages. Open TickIt over https to enable them."
            : "This browser cannot receive push notifications. The bell and mail still reach you."}
        </Callout.Text>
      </Callout.Root>
    );
  } else if (support === "denied") {
    body = (
      <Callout.Root color="amber" size="1" role="status">
        <Callout.Text>
          Notifications are blocked for this site. Allow them in the browser's site settings, then reload this page.
        </Callout.Text>
      </Callout.Root>
    );
  } else if (enabledHere) {
    body = (
      <Flex align="center" gap="3" wrap="wrap">
        <Text size="2" color="green" weight="medium" role="status">
          Notifications are enabled on this device.
        </Text>
        <Button type="button" size="2" variant="soft" color="gray" disabled={busy} onClick={disable}>
          Disable on this device
        </Button>
      </Flex>
    );
  } else {
    body = (
      <Flex align="center" gap="3" wrap="wrap">
        <Text size="2" color="gray">This device does not receive push notifications yet.</Text>
        <Button type="button" size="2" disabled={busy} onClick={enable}>
          Enable notifications on this device
        </Button>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="2" width="100%">
      {body}
      {error ? (
        <Text size="1" color="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Flex>
  );
}
