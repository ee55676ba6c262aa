// Lap times of the selected cars (live lap_completed + GraphQL laps history).
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatLapTime } from "../lib/format";
import { seriesColour } from "../lib/palette";
import type { LapRecord } from "../state/model";

interface Props {
  laps: Record<number, LapRecord[]>;
  cars: { car_id: number; label: string }[];
}

export function LapChart({ laps, cars }: Props) {
  const series = cars
    .map((c) => ({ ...c, data: (laps[c.car_id] ?? []).map((l) => ({ lap: l.lap, ms: l.lap_ms })) }))
    .filter((s) => s.data.length > 0);
  if (series.length === 0) return <p className="muted chart-empty">No laps completed yet by the selected cars.</p>;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart margin={{ top: 6, right: 12, bottom: 0, left: 6 }}>
        <CartesianGrid stroke="#263040" strokeDasharray="2 4" />
        <XAxis dataKey="lap" type="number" allowDecimals={false} domain={["dataMin", "dataMax"]} stroke="#8a97a8" fontSize={11} />
        <YAxis
          dataKey="ms"
          type="number"
          domain={["auto", "auto"]}
          tickFormatter={(v: number) => formatLapTime(v)}
          stroke="#8a97a8"
          fontSize={11}
          width={62}
        />
        <Tooltip
          contentStyle={{ background: "#111820", border: "1px solid #2a3644" }}
          labelFormatter={(l) => `Lap ${String(l)}`}
          formatter={(v) => formatLapTime(Number(v))}
        />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {series.map((s, i) => (
          <Line
            key={s.car_id}
            data={s.data}
            dataKey="ms"
            name={s.label}
            stroke={seriesColour(i)}
            dot={{ r: 2 }}
            strokeWidth={1.5}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
