import { useEffect, useState } from "react";

/**
 * The current time (milliseconds since the Unix epoch), updated every `interval` ms while
 * `active`: what a countdown re-renders with. Idle (no timer) when not active.
 */
export function useNow(active: boolean, interval = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [active, interval]);
  return now;
}
