// Owns telling the live connections that sessions were revoked, so realtime/ can close those sockets at once.

export interface SessionsRevoked {
  staffId: number;
  /** Only the sessions of this token (a logout); every session of the staff member when absent. */
  token?: string;
  reason: string;
}

type Listener = (r: SessionsRevoked) => void;

/** Synchronous fan-out; a failing listener never stops the revocation that announced it. */
export class SessionRevocations {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  announce(r: SessionsRevoked): void {
    for (const l of this.listeners) {
      try {
        l(r);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
