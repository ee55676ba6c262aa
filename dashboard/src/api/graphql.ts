// Plain fetch POSTs to /graphql with typed results. GraphQL reports errors
// with HTTP 200 and {errors}; an unknown field (a server older than this
// dashboard) is told apart so a panel can say "not available yet".
import { ApiError, graphqlMessages, requestJson } from "./http";

export class GraphQLError extends ApiError {
  /** True when the server's schema lacks a field or argument we asked for. */
  readonly unsupported: boolean;
  constructor(message: string) {
    super(message, 200);
    this.name = "GraphQLError";
    this.unsupported = isUnsupportedFieldMessage(message);
  }
}

/** Juniper says `Unknown field "x" on type "Race"`; others say "Cannot query field". */
export function isUnsupportedFieldMessage(message: string): boolean {
  return /unknown (field|argument)|cannot query field|unknown type/i.test(message);
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: unknown[];
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await requestJson<GraphQLResponse<T>>("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  if (res?.errors && res.errors.length > 0) {
    throw new GraphQLError(graphqlMessages(res.errors));
  }
  if (!res || res.data == null) throw new GraphQLError("the server returned no data");
  return res.data;
}
