// Geometry for the SVG track map. Track coordinates are metres with y up;
// SVG's y grows down, so every point is flipped through toSvg.

export type Point = [number, number];

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundsOf(points: Iterable<Point>): Bounds | null {
  let b: Bounds | null = null;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (!b) b = { minX: x, minY: y, maxX: x, maxY: y };
    else {
      b.minX = Math.min(b.minX, x);
      b.minY = Math.min(b.minY, y);
      b.maxX = Math.max(b.maxX, x);
      b.maxY = Math.max(b.maxY, y);
    }
  }
  return b;
}

/** Grows `a` to cover `b` (used when bounds come from car positions only). */
export function unionBounds(a: Bounds | null, b: Bounds | null): Bounds | null {
  if (!a) return b;
  if (!b) return a;
  return {
    minX: Math.min(a.minX, b.minX),
    minY: Math.min(a.minY, b.minY),
    maxX: Math.max(a.maxX, b.maxX),
    maxY: Math.max(a.maxY, b.maxY),
  };
}

/** A viewBox with a margin, never degenerate (a single point still shows). */
export function viewBoxOf(b: Bounds, marginFrac = 0.06): { x: number; y: number; w: number; h: number } {
  const w0 = Math.max(b.maxX - b.minX, 1);
  const h0 = Math.max(b.maxY - b.minY, 1);
  const m = Math.max(w0, h0) * marginFrac + 20;
  // y is flipped: the top of the view is -maxY.
  return { x: b.minX - m, y: -b.maxY - m, w: w0 + 2 * m, h: h0 + 2 * m };
}

export function toSvg([x, y]: Point): Point {
  return [x, -y];
}

/** An SVG path through the centreline, closed. */
export function centrelinePath(points: Point[]): string {
  if (points.length < 2) return "";
  return (
    points
      .map((p, i) => {
        const [x, y] = toSvg(p);
        return `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(" ") + " Z"
  );
}

/** Cumulative distance along a closed polyline; the last entry is its length. */
export function cumulativeLengths(points: Point[]): number[] {
  const out = [0];
  for (let i = 1; i <= points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i % points.length]!;
    out.push(out[i - 1]! + Math.hypot(b[0] - a[0], b[1] - a[1]));
  }
  return out;
}

/**
 * The point `distance` metres along the closed centreline, scaling the
 * polyline to the track's official length. Places a car from its race
 * distance when the server sends no car_telemetry positions.
 */
export function pointAtDistance(
  points: Point[],
  cumulative: number[],
  trackLengthM: number,
  distance: number,
): Point | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (points.length < 2 || total <= 0 || !Number.isFinite(distance)) return null;
  const len = trackLengthM > 0 ? trackLengthM : total;
  const d = (((distance % len) + len) % len) * (total / len);
  // binary search for the segment holding d
  let lo = 0;
  let hi = cumulative.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! <= d) lo = mid;
    else hi = mid;
  }
  const a = points[lo % points.length]!;
  const b = points[(lo + 1) % points.length]!;
  const segLen = cumulative[lo + 1]! - cumulative[lo]!;
  const t = segLen > 0 ? (d - cumulative[lo]!) / segLen : 0;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

/** A stable colour per team name so teammates share a hue. */
export function teamColour(team: string): string {
  let h = 0;
  for (let i = 0; i < team.length; i++) h = (h * 31 + team.charCodeAt(i)) >>> 0;
  // Golden-angle spread: similar names ("Team 1", "Team 2") get distant hues.
  return `hsl(${Math.round((h * 137.508) % 360)} 72% 58%)`;
}
