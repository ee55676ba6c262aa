// GraphiQL for Pitwall's API, bundled with the dashboard so it works without
// a CDN (the server answers /graphiql with this page from the binary).
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const fetcher = createGraphiQLFetcher({ url: "/graphql" });

const root = document.getElementById("graphiql");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <GraphiQL fetcher={fetcher} defaultQuery={"{\n  races(first: 10) {\n    id\n    name\n    status\n  }\n}\n"} />
    </StrictMode>,
  );
}
