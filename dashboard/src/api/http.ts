// Fetch helpers that turn every failure into an ApiError with a sentence a
// person can read: the control API's {error, field}, GraphQL's {errors}, a
// plain-text body or, failing all, the HTTP status. The stored bearer
// token (api/token.ts), if any, goes with every request.
import { authHeaders } from "./token";

export class ApiError extends Error {
  readonly status: number;
  readonly field: string | null;
  constructor(message: string, status: number, field: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.field = field;
  }
}

const MAX_TEXT = 300;

/** The readable message and offending field of an error response body. */
export function extractError(
  status: number,
  statusText: string,
  body: string,
): { message: string; field: string | null } {
  const fallback = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
  const text = body.trim();
  if (!text) return { message: fallback, field: null };
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === "object") {
      const obj = json as Record<string, unknown>;
      if (typeof obj.error === "string" && obj.error) {
        return {
          message: obj.error,
          field: typeof obj.field === "string" ? obj.field : null,
        };
      }
      if (Array.isArray(obj.errors) && obj.errors.length > 0) {
        return { message: graphqlMessages(obj.errors), field: null };
      }
      if (typeof obj.message === "string" && obj.message) {
        return { message: obj.message, field: null };
      }
    }
    if (typeof json === "string" && json) return { message: json, field: null };
  } catch {
    // not JSON: fall through to the text itself
  }
  // An HTML error page says nothing useful in a form; show the status.
  if (text.startsWith("<")) return { message: fallback, field: null };
  const short = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  return { message: `${fallback}: ${short}`, field: null };
}

/** Joins GraphQL `errors[].message` into one line. */
export function graphqlMessages(errors: unknown[]): string {
  const messages = errors
    .map((e) =>
      e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string"
        ? (e as { message: string }).message
        : JSON.stringify(e),
    )
    .filter((m) => m.length > 0);
  return messages.length ? Array.from(new Set(messages)).join("; ") : "unknown GraphQL error";
}

/** The message of anything thrown, for display. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  return "unexpected error";
}

/** fetch + JSON with readable errors; network failures become status 0. */
export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { Accept: "application/json", ...authHeaders(), ...(init?.headers ?? {}) },
    });
  } catch (err) {
    throw new ApiError(`cannot reach the server (${errorText(err)})`, 0);
  }
  const body = await res.text();
  if (!res.ok) {
    const { message, field } = extractError(res.status, res.statusText, body);
    throw new ApiError(message, res.status, field);
  }
  if (!body) return undefined as T;
  try {
    return JSON.parse(body) as T;
  } catch {
    throw new ApiError(`the server answered ${url} with something that is not JSON`, res.status);
  }
}
