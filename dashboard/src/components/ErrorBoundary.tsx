// Last line of defence: a malformed event that slips past the types shows a
// message instead of a blank page.
import { Component } from "react";
import type { ErrorInfo, ReactNode } from "react";

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("dashboard error", error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="panel error-panel" role="alert">
          <h2>Something went wrong on this page</h2>
          <p className="error">{this.state.error.message}</p>
          <button onClick={() => this.setState({ error: null })}>Try again</button> <a href="#/">Back to races</a>
        </div>
      );
    }
    return this.props.children;
  }
}
