// Owns where `npm run call` and `npm run agent` find the running server and its carrier simulator: the same settings
// (environment, then .env) the server reads, so changed ports need no extra flags, and one-line advice when nothing answers.
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';

export interface Target {
  url: string;
  /** Which setting gave the URL, for the "nothing answers" advice. */
  from: string;
  /** The command-line flag that overrides it. */
  flag: '--server' | '--sim';
}

export interface LocalServers {
  server: Target;
  sim: Target;
  hotlineNumber: string;
}

/** Reads .env and the config as `npm start` does; a bad setting or live credentials end the script with one line. */
export function localServers(flags: { server?: string; sim?: string }): LocalServers {
  try {
    loadEnvFile();
    const config = loadConfig();
    if (!config.simulator && !flags.sim) throw new ConfigError('TWILIO_ACCOUNT_SID is set: this script plays callers and softphones against the carrier simulator, which runs only without Twilio credentials');
    const port = config.simulator?.port ?? 4010;
    const simulatorFrom = config.simulator?.url ? 'SIMULATOR_URL' : `SIMULATOR_PORT=${port}${process.env.SIMULATOR_PORT ? '' : ' (default)'}`;
    const serverFrom = process.env.PUBLIC_BASE_URL?.trim() ? 'PUBLIC_BASE_URL' : `PORT=${config.port}${process.env.PORT ? '' : ' (default)'}${config.host && config.host !== '127.0.0.1' ? `, HOST=${config.host}` : ''}`;
    return {
      server: { url: flags.server ? trim(flags.server) : config.publicBaseUrl, from: flags.server ? '--server' : serverFrom, flag: '--server' },
      sim: { url: flags.sim ? trim(flags.sim) : (config.simulator?.url ?? `http://127.0.0.1:${port}`), from: flags.sim ? '--sim' : simulatorFrom, flag: '--sim' },
      hotlineNumber: config.hotlineNumber,
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

/** A fetch that reached nobody (refused, unknown host, reset) rather than an HTTP answer. */
export function unreachable(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(String(code));
}

/** The advice when nothing answers: the URLs tried, where they came from, and the settings that must match the server's. */
export function nothingAnswers(targets: Target[]): string {
  const tried = targets.map((t) => `${t.url} (${t.from})`).join(' or ');
  return (
    `Nothing answers at ${tried}. Start the server without Twilio credentials first (npm start); if it runs with other ` +
    `settings, give this command the same PORT, SIMULATOR_PORT (or SIMULATOR_URL with npm run sim) and PUBLIC_BASE_URL, in the environment or .env, or pass ${targets.map((t) => `${t.flag} <url>`).join(' and ')}.`
  );
}

function trim(url: string): string {
  return url.replace(/\/$/, '');
}
