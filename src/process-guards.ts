// What the web process does with an error nobody caught: a stray rejected promise is logged and the phones stay up.
import { maskPhonesIn, type Logger } from './logging/logger';

/**
 * Chosen: log and keep serving on `unhandledRejection`. A rejection is an async request that failed after its
 * caller moved on (typically a carrier REST call); the database is the source of truth and every piece of state it
 * could have touched is rebuilt by the ACD's sweep, so exiting would drop every webhook in flight for nothing.
 * An `uncaughtException` is different (a synchronous throw may leave half-done work in memory): it is logged and the
 * process shuts down gracefully, to be restarted by its supervisor; startup reconciliation makes that invisible to callers.
 */
export function installProcessGuards(log: Logger, onFatal: (err: unknown) => void): () => void {
  // Nobody chose what these errors carry: a message or stack may quote a caller's number, so it is masked here.
  const masked = (text: string | undefined) => (text === undefined ? undefined : maskPhonesIn(text));
  const rejected = (reason: unknown) => {
    log.error('unhandled promise rejection; still serving', {
      err: masked(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)),
      stack: masked(reason instanceof Error ? reason.stack : undefined),
    });
  };
  const thrown = (err: Error, origin: string) => {
    log.error('uncaught exception; shutting down for a clean restart', { err: masked(`${err.name}: ${err.message}`), stack: masked(err.stack), origin });
    onFatal(err);
  };
  process.on('unhandledRejection', rejected);
  process.on('uncaughtException', thrown);
  return () => {
    process.off('unhandledRejection', rejected);
    process.off('uncaughtException', thrown);
  };
}
