import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, extractError, requestJson } from "./http";
import { GraphQLError, gql, isUnsupportedFieldMessage } from "./graphql";

describe("extractError", () => {
  it("reads the control API's {error, field}", () => {
    expect(extractError(400, "Bad Request", JSON.stringify({ error: "cars: must be in 1..=5000", field: "cars" }))).toEqual({
      message: "cars: must be in 1..=5000",
      field: "cars",
    });
  });
  it("reads {error} without a field", () => {
    expect(extractError(404, "Not Found", '{"error":"no race r-1","field":null}')).toEqual({ message: "no race r-1", field: null });
  });
  it("joins GraphQL errors", () => {
    const body = JSON.stringify({ errors: [{ message: "a" }, { message: "b" }, { message: "a" }] });
    expect(extractError(200, "", body).message).toBe("a; b");
  });
  it("falls back to plain text, then the status", () => {
    expect(extractError(502, "Bad Gateway", "upstream down").message).toBe("HTTP 502 Bad Gateway: upstream down");
    expect(extractError(503, "Service Unavailable", "").message).toBe("HTTP 503 Service Unavailable");
    expect(extractError(500, "", "<html><body>oops</body></html>").message).toBe("HTTP 500");
  });
});

describe("requestJson and gql", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("throws ApiError with field on a 400", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response('{"error":"track: must be one of [..]","field":"track"}', { status: 400 })));
    const err = await requestJson("/api/races", { method: "POST" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).field).toBe("track");
    expect((err as ApiError).status).toBe(400);
  });

  it("turns a network failure into a readable message", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(requestJson("/api/races")).rejects.toThrow(/cannot reach the server/);
  });

  it("reports GraphQL errors sent with HTTP 200 and flags unknown fields", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ errors: [{ message: 'Unknown field "track" on type "Race"' }] }), { status: 200 })),
    );
    const err = await gql("{ x }").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).unsupported).toBe(true);
    expect(isUnsupportedFieldMessage("database unavailable")).toBe(false);
  });
});
