import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveSocket, backoffDelay, defaultWsUrl } from "./wsClient";
import type { ConnectionState, SocketLike } from "./wsClient";
import type { ServerMessage } from "../api/types";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: SocketLike["onopen"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  onmessage: SocketLike["onmessage"] = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  // test helpers
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose(code: number, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  sentOps() {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}

function setup() {
  const states: ConnectionState[] = [];
  const messages: ServerMessage[] = [];
  const sock = new LiveSocket({
    url: "ws://test/ws",
    factory: (url) => new FakeSocket(url),
    onMessage: (m) => messages.push(m),
    onState: (s) => states.push(s),
    now: () => Date.now(),
  });
  return { sock, states, messages };
}

describe("backoffDelay", () => {
  it("doubles from 0.5 s and caps at 10 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});

describe("LiveSocket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("subscribes once open and passes messages on", () => {
    const { sock, states, messages } = setup();
    sock.subscribe({ race_id: "r-1", channels: ["leaderboard", "laps"] });
    sock.start();
    expect(states.at(-1)?.phase).toBe("connecting");
    const ws = FakeSocket.all[0]!;
    expect(ws.sent).toHaveLength(0); // not open yet: nothing sent
    ws.open();
    expect(states.at(-1)?.phase).toBe("live");
    expect(ws.sentOps()).toEqual([{ op: "subscribe", race_id: "r-1", channels: ["leaderboard", "laps"] }]);
    ws.receive({ type: "snapshot", race_id: "r-1", race: null, leaderboard: null });
    ws.onmessage?.({ data: "not json" });
    expect(messages.map((m) => m.type)).toEqual(["snapshot"]);
  });

  it("reconnects with exponential backoff capped at 10 s and resubscribes", () => {
    const { sock, states } = setup();
    sock.subscribe({ race_id: "r-1", channels: ["leaderboard"] });
    sock.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.serverClose(1008, "too slow");
    const delays: number[] = [];
    let last = states.at(-1)!;
    expect(last.phase).toBe("reconnecting");
    if (last.phase === "reconnecting") expect(last.reason).toContain("too slow");
    // Fail the next six attempts without ever opening.
    for (let i = 0; i < 6; i++) {
      last = states.at(-1)!;
      if (last.phase !== "reconnecting") throw new Error("expected reconnecting");
      delays.push(last.retryAt - Date.now());
      const before = FakeSocket.all.length;
      vi.advanceTimersByTime(last.retryAt - Date.now() - 1);
      expect(FakeSocket.all.length).toBe(before); // not before its time
      vi.advanceTimersByTime(1);
      expect(FakeSocket.all.length).toBe(before + 1);
      FakeSocket.all.at(-1)!.serverClose(1006);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000]);
    // Success resets the backoff and resubscribes.
    last = states.at(-1)!;
    if (last.phase !== "reconnecting") throw new Error("expected reconnecting");
    vi.advanceTimersByTime(last.retryAt - Date.now());
    const ws = FakeSocket.all.at(-1)!;
    ws.open();
    expect(ws.sentOps()).toEqual([{ op: "subscribe", race_id: "r-1", channels: ["leaderboard"] }]);
    ws.serverClose(1001, "server restarting");
    const again = states.at(-1)!;
    expect(again.phase === "reconnecting" && again.retryAt - Date.now()).toBe(500);
  });

  it("does not reconnect after stop and forgets unsubscribed races", () => {
    const { sock, states } = setup();
    sock.subscribe({ race_id: "a", channels: ["leaderboard"] });
    sock.subscribe({ race_id: "b", channels: ["laps"], car_ids: [3] });
    sock.start();
    FakeSocket.all[0]!.open();
    sock.unsubscribe("a");
    expect(FakeSocket.all[0]!.sentOps().at(-1)).toEqual({ op: "unsubscribe", race_id: "a" });
    FakeSocket.all[0]!.serverClose(1006);
    vi.advanceTimersByTime(500);
    FakeSocket.all[1]!.open();
    expect(FakeSocket.all[1]!.sentOps()).toEqual([{ op: "subscribe", race_id: "b", channels: ["laps"], car_ids: [3] }]);
    sock.stop("bye");
    expect(states.at(-1)).toEqual({ phase: "closed", reason: "bye" });
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("falls back to the base channels when the server rejects one", () => {
    const { sock } = setup();
    sock.subscribe({ race_id: "r", channels: ["leaderboard", "strategy", "telemetry"] });
    sock.start();
    const ws = FakeSocket.all[0]!;
    ws.open();
    ws.receive({ type: "error", message: 'unknown channel "strategy"; channels are [...]' });
    expect(ws.sentOps().at(-1)).toEqual({ op: "subscribe", race_id: "r", channels: ["leaderboard"] });
  });

  it("drops a connection that went silent", () => {
    const { sock, states } = setup();
    sock.start();
    FakeSocket.all[0]!.open();
    vi.advanceTimersByTime(15_000);
    expect(FakeSocket.all[0]!.sentOps()).toEqual([{ op: "ping" }]);
    vi.advanceTimersByTime(45_000);
    expect(states.at(-1)?.phase).toBe("reconnecting");
  });
});

describe("defaultWsUrl", () => {
  it("follows the page's scheme and carries a token as ?token=", () => {
    expect(defaultWsUrl({ protocol: "http:", host: "h:8080" }, "")).toBe("ws://h:8080/ws");
    expect(defaultWsUrl({ protocol: "https:", host: "h" }, "a b&c")).toBe("wss://h/ws?token=a%20b%26c");
  });
});
