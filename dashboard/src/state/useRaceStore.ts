// Holds a race's state in a ref and re-renders at most every RENDER_MS: at
// 20 cars × 10 Hz the socket delivers far more events than the eye needs,
// and one React render per event would stall the page with 100 cars.
import { useCallback, useEffect, useRef, useState } from "react";
import { emptyRaceState } from "./model";
import type { RaceState } from "./model";
import { raceReducer } from "./raceReducer";
import type { RaceAction } from "./raceReducer";

export const RENDER_MS = 100;

export function useRaceStore(raceId: string): {
  state: RaceState;
  dispatch: (a: RaceAction) => void;
} {
  const ref = useRef<RaceState>(emptyRaceState(raceId));
  const [state, setState] = useState<RaceState>(ref.current);
  const pending = useRef<number | null>(null);
  const lastRender = useRef(0);

  useEffect(() => {
    ref.current = emptyRaceState(raceId);
    setState(ref.current);
  }, [raceId]);

  const flush = useCallback(() => {
    pending.current = null;
    lastRender.current = performance.now();
    setState(ref.current);
  }, []);

  const dispatch = useCallback(
    (a: RaceAction) => {
      ref.current = raceReducer(ref.current, a);
      if (pending.current !== null) return;
      const wait = Math.max(0, RENDER_MS - (performance.now() - lastRender.current));
      // setTimeout then rAF: never faster than RENDER_MS, and never while the tab is hidden.
      pending.current = window.setTimeout(() => {
        if (typeof requestAnimationFrame === "function") requestAnimationFrame(flush);
        else flush();
      }, wait);
    },
    [flush],
  );

  useEffect(
    () => () => {
      if (pending.current !== null) clearTimeout(pending.current);
    },
    [],
  );

  return { state, dispatch };
}
