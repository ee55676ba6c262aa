import { formatClock } from "../lib/format";
import { REPLAY_SPEEDS } from "../state/replay";
import type { ReplayClock } from "../state/replay";

export function ReplayControls(p: {
  clock: ReplayClock;
  onPlay: () => void;
  onPause: () => void;
  onSeek: (t: number) => void;
  onSpeed: (s: number) => void;
}) {
  const { clock } = p;
  return (
    <div className="replay" data-testid="replay-controls">
      <button onClick={clock.playing ? p.onPause : p.onPlay} className="small" aria-label={clock.playing ? "pause" : "play"}>
        {clock.playing ? "❚❚" : "▶"}
      </button>
      <input
        type="range"
        min={clock.startMs}
        max={clock.endMs}
        step={100}
        value={clock.tMs}
        onChange={(e) => p.onSeek(Number(e.target.value))}
        aria-label="replay position"
      />
      <span className="num clock">
        {formatClock(clock.tMs)} / {formatClock(clock.endMs)}
      </span>
      <span className="speeds">
        {REPLAY_SPEEDS.map((s) => (
          <button key={s} className={`small ${clock.speed === s ? "on" : ""}`} onClick={() => p.onSpeed(s)}>
            {s}×
          </button>
        ))}
      </span>
    </div>
  );
}
