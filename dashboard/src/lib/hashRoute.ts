// Hash routing: the pitwall binary serves index.html at `/` and knows no
// client routes, so `#/race/ID` keeps every page on one URL it serves.
import { useEffect, useState } from "react";

export type Route = { page: "races" } | { page: "race"; raceId: string };

export function parseHash(hash: string): Route {
  const m = /^#\/race\/([^/?#]+)/.exec(hash);
  if (m && m[1]) return { page: "race", raceId: decodeURIComponent(m[1]) };
  return { page: "races" };
}

export function raceHref(raceId: string): string {
  return `#/race/${encodeURIComponent(raceId)}`;
}

export function navigate(href: string): void {
  window.location.hash = href.startsWith("#") ? href.slice(1) : href;
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
