// The bearer token a server with `http.auth_token` asks for. Kept in
// sessionStorage: it lasts while the tab is open and is not written to
// disk for good. Sent as `Authorization: Bearer …` on API requests and as
// `?token=` on the WebSocket, where browsers cannot set headers.

const KEY = "pitwall.token";

function store(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // storage disabled by the browser
  }
}

export function getToken(): string {
  return store()?.getItem(KEY) ?? "";
}

export function setToken(token: string): void {
  const s = store();
  if (!s) return;
  const t = token.trim();
  if (t) s.setItem(KEY, t);
  else s.removeItem(KEY);
}

/** The Authorization header for the stored token, if any. */
export function authHeaders(): Record<string, string> {
  const t = getToken();
  return t ? { Authorization: `Bearer ${t}` } : {};
}
