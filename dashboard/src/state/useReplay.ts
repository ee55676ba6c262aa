// Drives a ReplayClock from wall time while playing, at ≤10 Hz (the
// leaderboard is rebuilt per tick; more often buys nothing visible).
import { useCallback, useEffect, useRef, useState } from "react";
import { newClock, pause, play, seek, setSpeed, tickClock } from "./replay";
import type { ReplayClock } from "./replay";

const TICK_MS = 100;

export function useReplayClock(startMs: number, endMs: number, enabled: boolean) {
  const [clock, setClock] = useState<ReplayClock>(() => newClock(startMs, endMs));
  const initialised = useRef(false);

  // Follow the race's length as history arrives; open on the result once.
  useEffect(() => {
    if (!enabled) return;
    setClock((c) => {
      if (!initialised.current) {
        initialised.current = endMs > startMs;
        return newClock(startMs, endMs);
      }
      const atEnd = c.tMs >= c.endMs;
      return { ...c, startMs, endMs, tMs: atEnd ? endMs : Math.min(c.tMs, endMs) };
    });
  }, [startMs, endMs, enabled]);

  useEffect(() => {
    if (!clock.playing) return;
    let last = performance.now();
    const t = setInterval(() => {
      const now = performance.now();
      const dt = now - last;
      last = now;
      setClock((c) => tickClock(c, dt));
    }, TICK_MS);
    return () => clearInterval(t);
  }, [clock.playing]);

  return {
    clock,
    play: useCallback(() => setClock(play), []),
    pause: useCallback(() => setClock(pause), []),
    seek: useCallback((t: number) => setClock((c) => seek(c, t)), []),
    setSpeed: useCallback((s: number) => setClock((c) => setSpeed(c, s)), []),
  };
}
