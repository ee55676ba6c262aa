// Races from GET /api/races, polled every 2 s (a race appears a second or so
// after it is started: it is announced through Kafka and stored first).
import { useCallback, useEffect, useState } from "react";
import { listRaces, stopRace } from "../api/control";
import { errorText } from "../api/http";
import type { RaceSummary } from "../api/types";
import { formatStartedAt } from "../lib/format";
import { raceHref } from "../lib/hashRoute";

export const POLL_MS = 2000;

export function RaceList({ highlight }: { highlight?: string | null }) {
  const [races, setRaces] = useState<RaceSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stopError, setStopError] = useState<string | null>(null);
  const [stopping, setStopping] = useState<Set<string>>(new Set());

  const refresh = useCallback(async () => {
    try {
      setRaces(await listRaces({ limit: 100 }));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    void refresh();
    const t = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  async function stop(id: string) {
    setStopping((s) => new Set(s).add(id));
    setStopError(null);
    try {
      await stopRace(id);
      await refresh();
    } catch (err) {
      setStopError(`Stop ${id}: ${errorText(err)}`);
    } finally {
      setStopping((s) => {
        const n = new Set(s);
        n.delete(id);
        return n;
      });
    }
  }

  return (
    <div className="race-list">
      {error && <p className="error">Race list: {error}</p>}
      {stopError && <p className="error">{stopError}</p>}
      {races === null && !error && <p className="muted">loading races…</p>}
      {races !== null && races.length === 0 && <p className="muted">No races yet — start one.</p>}
      {highlight && races !== null && !races.some((r) => r.race_id === highlight) && (
        <p className="muted">
          Race <a href={raceHref(highlight)} data-testid="race-link">{highlight}</a> is starting…
        </p>
      )}
      {races !== null && races.length > 0 && (
        <table className="grid races">
          <thead>
            <tr>
              <th>Race</th>
              <th>Track</th>
              <th className="num">Laps</th>
              <th className="num">Hz</th>
              <th>Started</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {races.map((r) => (
              <tr key={r.race_id} className={r.race_id === highlight ? "hl" : undefined} data-status={r.status}>
                <td>
                  <a href={raceHref(r.race_id)} data-testid="race-link" data-race-id={r.race_id} data-status={r.status}>
                    {r.name || r.race_id}
                  </a>
                  <span className="muted small"> {r.race_id}</span>
                </td>
                <td>{r.track_id}</td>
                <td className="num">{r.total_laps}</td>
                <td className="num">{r.sample_hz}</td>
                <td className="num">{formatStartedAt(r.started_at_ms)}</td>
                <td>
                  <span className={`status status-${r.status}`}>{r.status}</span>
                </td>
                <td>
                  {r.status === "running" && (
                    <button className="danger small" disabled={stopping.has(r.race_id)} onClick={() => void stop(r.race_id)}>
                      {stopping.has(r.race_id) ? "Stopping…" : "Stop"}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
