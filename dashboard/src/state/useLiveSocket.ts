// Connects the race view to /ws while it shows a live race.
import { useEffect, useState } from "react";
import type { ServerMessage } from "../api/types";
import { DEFAULT_CHANNELS, LiveSocket, defaultWsUrl } from "./wsClient";
import type { ConnectionState } from "./wsClient";

export function useLiveSocket(
  raceId: string,
  enabled: boolean,
  onMessage: (msg: ServerMessage) => void,
): { connection: ConnectionState | null; serverError: string | null } {
  const [connection, setConnection] = useState<ConnectionState | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);

  useEffect(() => {
    if (!enabled) {
      setConnection(null);
      return;
    }
    const socket = new LiveSocket({
      url: defaultWsUrl(),
      onMessage,
      onState: setConnection,
      onServerError: setServerError,
    });
    socket.subscribe({ race_id: raceId, channels: DEFAULT_CHANNELS });
    socket.start();
    return () => socket.stop("left the race view");
    // onMessage is a stable dispatch wrapper; reconnecting on its identity would be wrong.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [raceId, enabled]);

  return { connection, serverError };
}
