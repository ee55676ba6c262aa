// Speed, throttle, brake and gear traces of one car from GraphQL
// `telemetry(maxPoints: 500)`: the server downsamples, we only draw.
import { useEffect, useRef, useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { fetchTelemetry } from "../api/queries";
import { formatClock } from "../lib/format";
import { failed } from "../state/loadable";
import type { Loadable } from "../state/loadable";
import type { TelemetryPoint } from "../state/model";
import { Panel, loadNote } from "./Panel";

const WINDOWS = [
  { id: "60", label: "last 1 min", ms: 60_000 },
  { id: "180", label: "last 3 min", ms: 180_000 },
  { id: "all", label: "whole race", ms: null },
] as const;

interface Props {
  raceId: string;
  carId: number | null;
  label: string;
  /** The race clock the window ends at (live: newest event; replay: the replay clock). */
  clockMs: number;
  live: boolean;
}

const REFRESH_MS = 3000;

export function TelemetryPanel({ raceId, carId, label, clockMs, live }: Props) {
  const [windowId, setWindowId] = useState<(typeof WINDOWS)[number]["id"]>("60");
  const [data, setData] = useState<Loadable<TelemetryPoint[]>>({ status: "idle" });
  const clock = useRef(clockMs);
  clock.current = clockMs;
  // In replay, refetch when the clock has moved by a few seconds, not every frame.
  const coarseClock = live ? 0 : Math.floor(clockMs / 5000);

  useEffect(() => {
    if (carId === null) return;
    let cancelled = false;
    const win = WINDOWS.find((w) => w.id === windowId)!;
    const load = async () => {
      const to = clock.current > 0 ? clock.current : null;
      const from = win.ms !== null && to !== null ? Math.max(0, to - win.ms) : null;
      try {
        const pts = await fetchTelemetry(raceId, carId, from, win.ms === null ? null : to, 500);
        if (!cancelled) setData({ status: "ok", data: pts });
      } catch (err) {
        if (!cancelled) setData(failed(err));
      }
    };
    setData((d) => (d.status === "ok" ? d : { status: "loading" }));
    const t0 = setTimeout(() => void load(), live ? 0 : 250);
    const t = live ? setInterval(() => void load(), REFRESH_MS) : null;
    return () => {
      cancelled = true;
      clearTimeout(t0);
      if (t) clearInterval(t);
    };
  }, [raceId, carId, windowId, live, coarseClock]);

  const pts = data.status === "ok" ? data.data.map((p) => ({ ...p, throttlePct: p.throttle * 100, brakePct: p.brake * 100 })) : [];
  const actions = (
    <select value={windowId} onChange={(e) => setWindowId(e.target.value as typeof windowId)} aria-label="telemetry window">
      {WINDOWS.map((w) => (
        <option key={w.id} value={w.id}>
          {w.label}
        </option>
      ))}
    </select>
  );
  return (
    <Panel title={`Telemetry ${carId === null ? "" : `— ${label}`}`} actions={actions} note={loadNote("telemetry", data)} className="telemetry">
      {carId === null && <p className="muted">Click a car in the leaderboard.</p>}
      {carId !== null && data.status === "ok" && pts.length === 0 && <p className="muted">No samples in this window.</p>}
      {pts.length > 0 && (
        <div className="traces">
          <Trace data={pts} keyName="speedKph" name="Speed km/h" colour="#4fc3f7" domain={[0, "auto"]} />
          <Trace data={pts} keyName="throttlePct" name="Throttle %" colour="#81c784" domain={[0, 100]} second="brakePct" secondName="Brake %" secondColour="#e57373" />
          <Trace data={pts} keyName="gear" name="Gear" colour="#ffb74d" domain={[-1, 8]} step />
        </div>
      )}
    </Panel>
  );
}

type Row = TelemetryPoint & { throttlePct: number; brakePct: number };

function Trace(p: {
  data: Row[];
  keyName: keyof Row;
  name: string;
  colour: string;
  domain: [number, number | "auto"];
  second?: keyof Row;
  secondName?: string;
  secondColour?: string;
  step?: boolean;
}) {
  return (
    <ResponsiveContainer width="100%" height={p.step ? 70 : 90}>
      <LineChart data={p.data} syncId="telemetry" margin={{ top: 4, right: 12, bottom: 0, left: 6 }}>
        <CartesianGrid stroke="#263040" strokeDasharray="2 4" />
        <XAxis dataKey="tsMs" type="number" domain={["dataMin", "dataMax"]} tickFormatter={(v: number) => formatClock(v)} stroke="#8a97a8" fontSize={10} hide={!p.step} />
        <YAxis domain={p.domain} stroke="#8a97a8" fontSize={10} width={34} allowDecimals={false} />
        <Tooltip contentStyle={{ background: "#111820", border: "1px solid #2a3644" }} labelFormatter={(l) => formatClock(Number(l))} formatter={(v) => Number(v).toFixed(0)} />
        <Line dataKey={p.keyName as string} name={p.name} stroke={p.colour} dot={false} strokeWidth={1.3} type={p.step ? "stepAfter" : "linear"} isAnimationActive={false} />
        {p.second && <Line dataKey={p.second as string} name={p.secondName} stroke={p.secondColour} dot={false} strokeWidth={1.3} isAnimationActive={false} />}
      </LineChart>
    </ResponsiveContainer>
  );
}
