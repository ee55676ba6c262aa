// SVG track map: the centreline from GraphQL `track`, one marker per car
// from car_telemetry positions. Without positions (older server, or a
// replay) cars are placed along the centreline by race distance; without a
// centreline the view is fitted to every position seen so far.
import { useMemo, useRef } from "react";
import type { CarPosition, LeaderboardEntry } from "../api/types";
import {
  boundsOf,
  centrelinePath,
  cumulativeLengths,
  pointAtDistance,
  teamColour,
  toSvg,
  unionBounds,
  viewBoxOf,
} from "../lib/trackGeometry";
import type { Bounds, Point } from "../lib/trackGeometry";
import type { TrackGeometry } from "../state/model";

interface Props {
  track: TrackGeometry | null;
  positions: Record<number, CarPosition>;
  entries: LeaderboardEntry[];
  focus: number | null;
  onFocus: (carId: number) => void;
}

interface Marker {
  car_id: number;
  number: number;
  team: string;
  p: Point;
  pit: string;
  position: number | null;
}

export function TrackMap({ track, positions, entries, focus, onFocus }: Props) {
  const centreline = track?.centreline ?? [];
  const path = useMemo(() => centrelinePath(centreline), [centreline]);
  const cumulative = useMemo(() => cumulativeLengths(centreline), [centreline]);
  const seen = useRef<Bounds | null>(null);

  const byCar = useMemo(() => new Map(entries.map((e) => [e.car_id, e])), [entries]);
  const posList = Object.values(positions);
  const markers: Marker[] = [];
  if (posList.length > 0) {
    for (const c of posList) {
      const e = byCar.get(c.car_id);
      markers.push({
        car_id: c.car_id,
        number: e?.number ?? c.car_id,
        team: e?.team ?? "",
        p: [c.x, c.y],
        pit: c.pit,
        position: e?.position ?? null,
      });
    }
  } else if (centreline.length > 1) {
    for (const e of entries) {
      const p = pointAtDistance(centreline, cumulative, track?.length_m ?? 0, e.race_distance_m);
      if (p) markers.push({ car_id: e.car_id, number: e.number, team: e.team, p, pit: e.status === "in_pit" ? "pit_lane" : e.status === "retired" ? "retired" : "on_track", position: e.position });
    }
  }

  let bounds = boundsOf(centreline);
  if (!bounds) {
    // No track: grow the view to every car position seen, so it stops jumping.
    seen.current = unionBounds(seen.current, boundsOf(markers.map((m) => m.p)));
    bounds = seen.current;
  }
  const vb = bounds ? viewBoxOf(bounds) : { x: -100, y: -100, w: 200, h: 200 };
  const scale = Math.max(vb.w, vb.h);
  const r = scale * 0.012;
  // Leader on top: draw from the back of the field forward.
  markers.sort((a, b) => (b.position ?? 1e9) - (a.position ?? 1e9));

  return (
    <div className="track-wrap">
      <svg
        className="track-map"
        data-testid="track-map"
        viewBox={`${vb.x} ${vb.y} ${vb.w} ${vb.h}`}
        preserveAspectRatio="xMidYMid meet"
        role="img"
        aria-label={track ? `Track map of ${track.name}` : "Track map"}
      >
        {path && (
          <>
            <path d={path} className="track-outline" strokeWidth={scale * 0.02} />
            <path d={path} className="track-line" strokeWidth={scale * 0.004} />
            <StartLine centreline={centreline} r={r} />
          </>
        )}
        {markers.map((m) => {
          const [x, y] = toSvg(m.p);
          return (
            <g
              key={m.car_id}
              data-testid="car-marker"
              data-car-id={m.car_id}
              className={`car-marker pit-${m.pit} ${focus === m.car_id ? "focus" : ""}`}
              transform={`translate(${x.toFixed(1)} ${y.toFixed(1)})`}
              onClick={() => onFocus(m.car_id)}
            >
              <title>{`#${m.number}${m.position ? ` P${m.position}` : ""} ${m.pit.replace(/_/g, " ")}`}</title>
              <circle r={r} fill={teamColour(m.team || String(m.car_id))} />
              <text dy={r * 0.38} fontSize={r * 1.05} textAnchor="middle">
                {m.number}
              </text>
            </g>
          );
        })}
      </svg>
      {markers.length === 0 && <div className="track-empty muted">waiting for car positions…</div>}
    </div>
  );
}

function StartLine({ centreline, r }: { centreline: Point[]; r: number }) {
  const p = centreline[0];
  if (!p) return null;
  const [x, y] = toSvg(p);
  return <rect x={x - r * 0.3} y={y - r * 1.6} width={r * 0.6} height={r * 3.2} className="start-line" />;
}
