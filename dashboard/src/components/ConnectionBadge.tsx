// The live connection's state in words; counts down to the next reconnect.
import { useEffect, useState } from "react";
import type { ConnectionState } from "../state/wsClient";

export function connectionLabel(c: ConnectionState | null, now: number): string {
  if (!c) return "history";
  switch (c.phase) {
    case "connecting":
      return "connecting";
    case "live":
      return "live";
    case "reconnecting": {
      const s = Math.max(0, Math.ceil((c.retryAt - now) / 1000));
      return `reconnecting in ${s}s (${c.reason})`;
    }
    case "closed":
      return `closed: ${c.reason}`;
  }
}

export function ConnectionBadge({ connection }: { connection: ConnectionState | null }) {
  const [now, setNow] = useState(() => Date.now());
  const counting = connection?.phase === "reconnecting";
  useEffect(() => {
    if (!counting) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [counting]);
  const phase = connection?.phase ?? "history";
  return (
    <span className={`conn conn-${phase}`} data-testid="connection-state" data-phase={phase}>
      <span className="conn-dot" />
      {connectionLabel(connection, counting ? now : Date.now())}
    </span>
  );
}
