import { useState } from "react";
import { navigate, raceHref } from "../lib/hashRoute";
import { Panel } from "./Panel";
import { RaceList } from "./RaceList";
import { StartRaceForm } from "./StartRaceForm";

export function RacesPage() {
  const [started, setStarted] = useState<string | null>(null);
  return (
    <div className="races-page">
      <Panel title="Start a simulated race">
        <StartRaceForm
          onStarted={(id) => {
            setStarted(id);
            // Go straight to the live view: it waits for the race to appear.
            navigate(raceHref(id));
          }}
        />
      </Panel>
      <Panel title="Races">
        <RaceList highlight={started} />
      </Panel>
    </div>
  );
}
