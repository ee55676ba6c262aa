import { useHashRoute } from "./lib/hashRoute";
import { RaceView } from "./components/RaceView";
import { RacesPage } from "./components/RacesPage";
import { ErrorBoundary } from "./components/ErrorBoundary";

export function App() {
  const route = useHashRoute();
  return (
    <div className="app">
      <nav className="topbar">
        <a href="#/" className="brand">
          PITWALL
        </a>
        <span className="muted small">race telemetry</span>
        <span className="spacer" />
        <a href="/graphiql" className="muted small">
          GraphiQL
        </a>
      </nav>
      <main>
        {/* Keyed by route so a rendering bug in one race does not stick to the next page. */}
        <ErrorBoundary key={route.page === "race" ? route.raceId : "races"}>
          {route.page === "race" ? <RaceView key={route.raceId} raceId={route.raceId} /> : <RacesPage />}
        </ErrorBoundary>
      </main>
    </div>
  );
}
