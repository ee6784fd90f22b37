// Glue for live updates: calls onTick every `seconds` while mounted, and stops when the page unmounts or the tab
// closes, so the server never has to learn whether a tab is still there. Renders nothing.
// Props: seconds (the interval), onTick().
import { useEffect, useRef } from "react";

export function Ticker({ seconds, onTick }) {
  const tick = useRef(onTick);
  tick.current = onTick;
  useEffect(() => {
    const timer = setInterval(() => tick.current && tick.current(), Math.max(1, seconds) * 1000);
    return () => clearInterval(timer);
  }, [seconds]);
  return null;
}
