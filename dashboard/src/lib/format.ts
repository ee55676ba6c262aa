// Timing-screen formatting. Everything takes milliseconds and returns a
// fixed-shape string so columns line up with tabular numerals.

const DASH = "—";

function isNum(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** 83456 → "1:23.456"; 59123 → "59.123". */
export function formatLapTime(ms: number | null | undefined): string {
  if (!isNum(ms) || ms < 0) return DASH;
  const total = Math.round(ms);
  const minutes = Math.floor(total / 60000);
  const rest = total - minutes * 60000;
  const secs = Math.floor(rest / 1000);
  const millis = rest % 1000;
  const s3 = String(millis).padStart(3, "0");
  return minutes > 0 ? `${minutes}:${String(secs).padStart(2, "0")}.${s3}` : `${secs}.${s3}`;
}

/** Sector times have no minutes in practice: 28123 → "28.123". */
export function formatSector(ms: number | null | undefined): string {
  return formatLapTime(ms);
}

function lapsLabel(lapsDown: number): string {
  return `+${lapsDown} L`;
}

/**
 * Gap to the leader: "Leader" for P1, "+N L" when lapped, else "+1.234"
 * (with minutes past 60 s). A null gap of a non-leader means not timed yet.
 */
export function formatGap(
  gapMs: number | null | undefined,
  lapsDown: number,
  position?: number,
): string {
  if (position === 1) return "Leader";
  if (lapsDown > 0) return lapsLabel(lapsDown);
  if (!isNum(gapMs)) return DASH;
  return `+${formatLapTime(gapMs)}`;
}

/**
 * Interval to the car ahead; when this car is on a different lap than the
 * car ahead the time is meaningless and the lap difference is shown instead.
 */
export function formatInterval(
  intervalMs: number | null | undefined,
  lapsDown: number,
  aheadLapsDown: number | null,
): string {
  if (aheadLapsDown === null) return DASH; // the leader
  const diff = lapsDown - aheadLapsDown;
  if (diff > 0) return lapsLabel(diff);
  if (!isNum(intervalMs)) return DASH;
  return `+${formatLapTime(intervalMs)}`;
}

/** Race clock: 754000 → "12:34", 3723000 → "1:02:03". */
export function formatClock(ms: number | null | undefined): string {
  if (!isNum(ms) || ms < 0) return "0:00";
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(sec).padStart(2, "0")}`;
}

/** Signed seconds with one decimal, for deltas: 1234 → "+1.2 s". */
export function formatDeltaSeconds(ms: number | null | undefined): string {
  if (!isNum(ms)) return DASH;
  const sign = ms > 0 ? "+" : ms < 0 ? "−" : "±";
  return `${sign}${(Math.abs(ms) / 1000).toFixed(1)} s`;
}

export function compoundLetter(compound: string | null | undefined): string {
  switch ((compound ?? "").toLowerCase()) {
    case "soft":
      return "S";
    case "medium":
      return "M";
    case "hard":
      return "H";
    default:
      return "?";
  }
}

/** "pit_window_open" → "pit window open". */
export function humanize(kind: string | null | undefined): string {
  return (kind ?? "").replace(/_/g, " ").trim() || DASH;
}

/** Wall-clock start time for the race list. */
export function formatStartedAt(ms: number | null | undefined): string {
  if (!isNum(ms) || ms <= 0) return DASH;
  const d = new Date(ms);
  return d.toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}
