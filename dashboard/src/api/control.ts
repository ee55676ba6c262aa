// The simulator control API (src/web/control.rs).
import { requestJson } from "./http";
import type { RaceSummary, StartRaceParams, StartRaceResponse } from "./types";

export function listRaces(opts: { status?: string; limit?: number } = {}): Promise<RaceSummary[]> {
  const q = new URLSearchParams();
  if (opts.status) q.set("status", opts.status);
  q.set("limit", String(opts.limit ?? 50));
  return requestJson<RaceSummary[]>(`/api/races?${q.toString()}`).then((r) =>
    Array.isArray(r) ? r : [],
  );
}

export function getRace(id: string): Promise<RaceSummary> {
  return requestJson<RaceSummary>(`/api/races/${encodeURIComponent(id)}`);
}

export function startRace(params: StartRaceParams): Promise<StartRaceResponse> {
  return requestJson<StartRaceResponse>("/api/races", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(params),
  });
}

export function stopRace(id: string): Promise<unknown> {
  return requestJson<unknown>(`/api/races/${encodeURIComponent(id)}`, { method: "DELETE" });
}
