// GraphiQL for Pitwall's API, bundled with the dashboard so it works without
// a CDN (the server answers /graphiql with this page from the binary).
// Queries go over HTTP to /graphql, subscriptions over graphql-transport-ws
// to /graphql/ws.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createClient } from "graphql-ws";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const wsClient = createClient({
  url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`,
  // The server closes a socket whose client has not pinged within
  // websocket.client_timeout_ms (15 s by default).
  keepAlive: 5_000,
  lazy: true,
});

const fetcher = createGraphiQLFetcher({ url: "/graphql", wsClient });

// A link can carry the operation: /graphiql?query=…&variables=…
const params = new URLSearchParams(location.search);
const initialQuery = params.get("query") ?? undefined;
const initialVariables = params.get("variables") ?? undefined;

const root = document.getElementById("graphiql");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        initialQuery={initialQuery}
        initialVariables={initialVariables}
        defaultQuery={"{\n  races(first: 10) {\n    id\n    name\n    status\n  }\n}\n"}
      />
    </StrictMode>,
  );
}
