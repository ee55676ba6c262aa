// The WebSocket client: one connection to /ws, any number of race
// subscriptions, reconnect with exponential backoff (capped) and resubscribe
// after every reconnect (the server answers each subscribe with a fresh
// snapshot, so nothing missed while away is needed from us).
import { getToken } from "../api/token";
import { ALL_CHANNELS, BASE_CHANNELS } from "../api/types";
import type { ServerMessage } from "../api/types";

export type ConnectionState =
  | { phase: "connecting"; attempt: number }
  | { phase: "live" }
  | { phase: "reconnecting"; attempt: number; retryAt: number; reason: string }
  | { phase: "closed"; reason: string };

export interface Subscription {
  race_id: string;
  channels: string[];
  car_ids?: number[];
}

/** The part of the browser WebSocket this client uses; tests pass a fake. */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string; wasClean?: boolean }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2 };

/** Delay before reconnect attempt `attempt` (1-based): 0.5, 1, 2, 4, 8, 10, 10 … s. */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = opts.initialMs * Math.pow(opts.factor, Math.max(0, attempt - 1));
  return Math.min(opts.maxMs, exp);
}

export interface LiveSocketOptions {
  url: string;
  onMessage: (msg: ServerMessage) => void;
  onState?: (state: ConnectionState) => void;
  /** Server `error` messages, for display. */
  onServerError?: (message: string) => void;
  factory?: SocketFactory;
  backoff?: BackoffOptions;
  now?: () => number;
  /** Close and reconnect when nothing at all arrived for this long. */
  idleTimeoutMs?: number;
  /** Send an application ping this often so an idle race still proves liveness. */
  pingIntervalMs?: number;
}

const OPEN = 1;

/** ws(s)://host/ws for the page's own origin (the dev server proxies it),
 * with the stored token as `?token=` (a browser WebSocket has no headers). */
export function defaultWsUrl(
  loc: { protocol: string; host: string } = window.location,
  token: string = getToken(),
): string {
  const query = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws${query}`;
}

export class LiveSocket {
  private readonly opts: Required<Omit<LiveSocketOptions, "onState" | "onServerError">> &
    Pick<LiveSocketOptions, "onState" | "onServerError">;
  private socket: SocketLike | null = null;
  private readonly subs = new Map<string, Subscription>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private stopped = false;
  private state: ConnectionState = { phase: "connecting", attempt: 0 };

  constructor(options: LiveSocketOptions) {
    this.opts = {
      factory: (url) => new WebSocket(url) as unknown as SocketLike,
      backoff: DEFAULT_BACKOFF,
      now: () => Date.now(),
      idleTimeoutMs: 45_000,
      pingIntervalMs: 15_000,
      ...options,
    };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes for good: no reconnect. */
  stop(reason = "closed by the dashboard"): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.onerror = null;
      s.onopen = null;
      try {
        s.close(1000, "bye");
      } catch {
        // already closing
      }
    }
    this.setState({ phase: "closed", reason });
  }

  subscribe(sub: Subscription): void {
    this.subs.set(sub.race_id, sub);
    this.sendSubscribe(sub);
  }

  unsubscribe(raceId: string): void {
    if (this.subs.delete(raceId)) this.send({ op: "unsubscribe", race_id: raceId });
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    this.opts.onState?.(s);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState({ phase: "connecting", attempt: this.attempt });
    let socket: SocketLike;
    try {
      socket = this.opts.factory(this.opts.url);
    } catch (err) {
      this.scheduleReconnect(`cannot open WebSocket: ${String(err)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.lastHeard = this.opts.now();
      this.setState({ phase: "live" });
      for (const sub of this.subs.values()) this.sendSubscribe(sub);
      this.startPing();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.lastHeard = this.opts.now();
      if (typeof ev.data !== "string") return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return; // a garbled frame is not worth dropping the connection
      }
      if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
      if (msg.type === "error") this.onServerError(msg.message);
      this.opts.onMessage(msg);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting happens there.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      const reason = ev.reason
        ? `${ev.reason} (code ${ev.code})`
        : ev.code === 1006
          ? "connection lost"
          : `code ${ev.code}`;
      this.scheduleReconnect(reason);
    };
  }

  private onServerError(message: string): void {
    this.opts.onServerError?.(message);
    // An older server that lacks some channel rejects the whole subscribe:
    // fall back to the channels every version has.
    if (/unknown channel/i.test(message)) {
      for (const sub of this.subs.values()) {
        const base = sub.channels.filter((c) => (BASE_CHANNELS as readonly string[]).includes(c));
        if (base.length < sub.channels.length && base.length > 0) {
          const fallback = { ...sub, channels: base };
          this.subs.set(sub.race_id, fallback);
          this.sendSubscribe(fallback);
        }
      }
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.opts.backoff);
    this.setState({
      phase: "reconnecting",
      attempt: this.attempt,
      retryAt: this.opts.now() + delay,
      reason,
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private startPing(): void {
    this.pingTimer = setInterval(() => {
      const s = this.socket;
      if (!s) return;
      if (this.opts.now() - this.lastHeard > this.opts.idleTimeoutMs) {
        // Half-open connection: no close event will ever come, so force one.
        s.onclose?.({ code: 4000, reason: "no data from the server" });
        try {
          s.close();
        } catch {
          // ignore
        }
        return;
      }
      this.send({ op: "ping" });
    }, this.opts.pingIntervalMs);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private sendSubscribe(sub: Subscription): void {
    const body: Record<string, unknown> = {
      op: "subscribe",
      race_id: sub.race_id,
      channels: sub.channels,
    };
    if (sub.car_ids && sub.car_ids.length > 0) body.car_ids = sub.car_ids;
    this.send(body);
  }

  private send(body: Record<string, unknown>): void {
    const s = this.socket;
    if (s && s.readyState === OPEN) s.send(JSON.stringify(body));
  }
}

export const DEFAULT_CHANNELS: string[] = [...ALL_CHANNELS];
