// Glue for times: a <time> that reads "5 min ago" or "in 3 h" (kept current) with the full date and time in the viewer's own
// time zone on hover, from an ISO 8601 timestamp the server sends in UTC. The browser's Intl knows the zone and the
// viewer's date format; no library is needed.
// Props: iso (e.g. "2026-12-03T15:31:00Z"; "" renders nothing), relative (false: show the full time itself).
import React, { useEffect, useState } from "react";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
function ago(seconds, moment) {
  if (seconds < MINUTE) return "just now";
  if (seconds < HOUR) return `${Math.floor(seconds / MINUTE)} min ago`;
  if (seconds < DAY) return `${Math.floor(seconds / HOUR)} h ago`;
  if (seconds < 14 * DAY) return `${Math.floor(seconds / DAY)} d ago`;
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" }).format(moment);
}
function ahead(seconds, moment) {
  if (seconds < HOUR) return `in ${Math.max(1, Math.floor(seconds / MINUTE))} min`;
  if (seconds < DAY) return `in ${Math.floor(seconds / HOUR)} h`;
  if (seconds < 14 * DAY) return `in ${Math.floor(seconds / DAY)} d`;
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" }).format(moment);
}
// Due times lie ahead; a moment a few seconds ahead is the server's clock running ahead of this one.
function relativeTo(now, moment) {
  const seconds = Math.floor((now - moment.getTime()) / 1000);
  return seconds > -MINUTE ? ago(Math.max(0, seconds), moment) : ahead(-seconds, moment);
}

// dateStyle/timeStyle cannot be combined with timeZoneName, so the parts are named one by one.
const FULL = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };

export function LocalTime({ iso, relative = true, ...rest }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!relative) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 30 * 1000);
    return () => clearInterval(timer);
  }, [relative]);
  if (!iso) return null;
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return null;
  const full = new Intl.DateTimeFormat(undefined, FULL).format(moment);
  return (
    <time {...rest} dateTime={iso} title={full}>
      {relative ? relativeTo(now, moment) : full}
    </time>
  );
}
