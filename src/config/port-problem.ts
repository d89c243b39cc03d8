// Owns the one-line explanation of a port that cannot be opened at start-up, naming the setting to change.

/** A start-up failure that one line explains, printed without a stack. */
export class StartupError extends Error {}

/** EADDRINUSE/EACCES from listen() as a StartupError naming the setting; any other error unchanged. */
export function portProblem(err: unknown, setting: 'PORT' | 'SIMULATOR_PORT' | 'METRICS_PORT'): unknown {
  const e = err as (NodeJS.ErrnoException & { port?: number }) | undefined;
  if (e?.code === 'EADDRINUSE') return new StartupError(`Port ${e.port} is already in use: stop the other process or set ${setting}`);
  if (e?.code === 'EACCES') return new StartupError(`Port ${e.port} needs privileges this user lacks: use a port above 1023 or set ${setting}`);
  return err;
}
