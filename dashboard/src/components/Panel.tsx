// A titled box; `note` shows a panel-level status (loading, not available
// yet, error) without hiding whatever live data the panel already has.
import type { ReactNode } from "react";
import type { Loadable } from "../state/loadable";

export function Panel(props: {
  title: string;
  actions?: ReactNode;
  note?: ReactNode;
  className?: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <section className={`panel ${props.className ?? ""}`} data-testid={props.testId}>
      <header className="panel-head">
        <h2>{props.title}</h2>
        {props.actions && <div className="panel-actions">{props.actions}</div>}
      </header>
      {props.note && <div className="panel-note">{props.note}</div>}
      <div className="panel-body">{props.children}</div>
    </section>
  );
}

/** The note for a history query: nothing once loaded. */
export function loadNote(what: string, l: Loadable<unknown>): ReactNode {
  switch (l.status) {
    case "loading":
      return <span className="muted">loading {what}…</span>;
    case "unavailable":
      return (
        <span className="warn" title={l.message}>
          {what}: not available yet on this server
        </span>
      );
    case "error":
      return <span className="error">{what}: {l.message}</span>;
    default:
      return null;
  }
}
