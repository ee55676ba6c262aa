// The state of one panel's history query. "unavailable" is a server that
// does not have the field yet: the panel says so instead of showing an error.
import { GraphQLError } from "../api/graphql";
import { errorText } from "../api/http";

export type Loadable<T> =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ok"; data: T }
  | { status: "unavailable"; message: string }
  | { status: "error"; message: string };

export function failed<T>(err: unknown): Loadable<T> {
  if (err instanceof GraphQLError && err.unsupported) {
    return { status: "unavailable", message: err.message };
  }
  return { status: "error", message: errorText(err) };
}
