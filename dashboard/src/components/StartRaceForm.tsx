// Starts a simulated race through POST /api/races. The server validates;
// its {error, field} is shown and the field outlined, so limits live in one
// place (src/domain/commands.rs) and the form only guides with min/max.
// A server that asks for a bearer token answers 401: the form then shows
// the message and a token field (kept for the tab, api/token.ts).
import { useState } from "react";
import type { FormEvent } from "react";
import { startRace } from "../api/control";
import { ApiError, errorText } from "../api/http";
import { getToken, setToken } from "../api/token";
import { TRACKS } from "../api/types";
import type { StartRaceParams } from "../api/types";

interface FormValues {
  name: string;
  track: string;
  cars: string;
  laps: string;
  sample_hz: string;
  time_scale: string;
  seed: string;
  safety_car_probability: string;
}

const INITIAL: FormValues = {
  name: "Demo Grand Prix",
  track: "power",
  cars: "20",
  laps: "10",
  sample_hz: "10",
  time_scale: "1",
  seed: "",
  safety_car_probability: "0.3",
};

/** Builds the request body; blank optional fields are left to server defaults. */
export function toParams(v: FormValues): StartRaceParams {
  const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
  const p: StartRaceParams = {
    track: v.track,
    cars: num(v.cars),
    laps: num(v.laps),
    sample_hz: num(v.sample_hz),
    time_scale: num(v.time_scale),
    seed: num(v.seed),
    safety_car_probability: num(v.safety_car_probability),
  };
  if (v.name.trim()) p.name = v.name.trim();
  // Drop undefined so JSON omits them (the server denies unknown, not absent, fields).
  return Object.fromEntries(Object.entries(p).filter(([, x]) => x !== undefined)) as StartRaceParams;
}

export function StartRaceForm({ onStarted }: { onStarted: (raceId: string) => void }) {
  const [values, setValues] = useState<FormValues>(INITIAL);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [token, setTokenValue] = useState(getToken);
  const [askToken, setAskToken] = useState(() => getToken() !== "");

  const set = (k: keyof FormValues) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    if (askToken) setToken(token);
    try {
      const res = await startRace(toParams(values));
      if (!res?.race_id) throw new Error("the server did not return a race id");
      onStarted(res.race_id);
    } catch (err) {
      const unauthorized = err instanceof ApiError && err.status === 401;
      if (unauthorized) setAskToken(true);
      setError({
        message: errorText(err),
        // The 401's field is the Authorization header, not a form field.
        field: err instanceof ApiError && !unauthorized ? err.field : null,
      });
    } finally {
      setBusy(false);
    }
  }

  const cls = (k: keyof FormValues) => (error?.field === k ? "field field-bad" : "field");
  const numberField = (k: keyof FormValues, label: string, attrs: { min: number; max: number; step?: number | string }) => (
    <label className={cls(k)}>
      <span>{label}</span>
      <input type="number" name={k} value={values[k]} onChange={set(k)} {...attrs} />
    </label>
  );

  return (
    <form className="start-form" onSubmit={submit} data-testid="start-race-form" noValidate>
      <label className={cls("name")}>
        <span>Name</span>
        <input name="name" value={values.name} onChange={set("name")} maxLength={100} />
      </label>
      <label className={cls("track")}>
        <span>Track</span>
        <select name="track" value={values.track} onChange={set("track")}>
          {TRACKS.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      {numberField("cars", "Cars", { min: 1, max: 5000 })}
      {numberField("laps", "Laps", { min: 1, max: 200 })}
      {numberField("sample_hz", "Sample Hz", { min: 1, max: 100 })}
      {numberField("time_scale", "Time scale (0 = max)", { min: 0, max: 1000, step: "any" })}
      {numberField("seed", "Seed", { min: 0, max: Number.MAX_SAFE_INTEGER })}
      {numberField("safety_car_probability", "Safety car p", { min: 0, max: 1, step: 0.05 })}
      {askToken && (
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            value={token}
            onChange={(e) => setTokenValue(e.target.value)}
            data-testid="token-input"
          />
        </label>
      )}
      <button type="submit" disabled={busy} data-testid="start-race-submit">
        {busy ? "Starting…" : "Start race"}
      </button>
      {error && (
        <p className="error form-error" role="alert">
          {error.field ? <strong>{error.field}: </strong> : null}
          {error.message}
        </p>
      )}
    </form>
  );
}
