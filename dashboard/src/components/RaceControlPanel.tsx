// Race control messages, newest first, with the current flag on top.
import { formatClock, humanize } from "../lib/format";
import type { FlagState, RaceControlMsg } from "../state/model";

export function RaceControlPanel({ flag, messages }: { flag: FlagState | null; messages: RaceControlMsg[] }) {
  const list = [...messages].reverse();
  return (
    <div className="race-control">
      {flag && (
        <div className={`flag flag-${flag.flag}`}>
          <strong>{humanize(flag.flag)}</strong> · lap {flag.leader_lap}/{flag.total_laps} · {flag.status}
        </div>
      )}
      {list.length === 0 && <p className="muted">No messages.</p>}
      <ul className="scroll msgs">
        {list.map((m, i) => (
          <li key={`${m.ts_ms}-${i}`} className={`rc rc-${m.kind}`}>
            <span className="num muted">{formatClock(m.ts_ms)}</span> <span className="rc-kind">{humanize(m.kind)}</span> {m.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
