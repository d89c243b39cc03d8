// Owns structured logging: JSON lines through winston, child loggers per call, agent or job.
import winston from 'winston';
import { correlationId } from './correlation';

export type Logger = winston.Logger;

export function createLogger(level: string = 'info', silent = false, transports: winston.transport[] = [new winston.transports.Console()]): Logger {
  const logger = winston.createLogger({
    level,
    silent,
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports,
  });
  // Every line written inside a webhook, a job or a carrier REST call carries its correlation id (src/logging/correlation.ts).
  // Child loggers write through the root's write(), synchronously, while the caller's async context is still current.
  const write = logger.write.bind(logger) as (info: winston.LogEntry) => boolean;
  logger.write = ((info: winston.LogEntry) => {
    const id = correlationId();
    if (id && info.correlationId === undefined) info.correlationId = id;
    return write(info);
  }) as typeof logger.write;
  return logger;
}

/** Keeps the country code and the last four digits: +86138****5678. */
export function maskPhone(number: string | undefined | null): string {
  if (!number) return '';
  if (number.startsWith('client:')) return number;
  const digits = number.replace(/[^\d+]/g, '');
  if (digits.length <= 6) return '*'.repeat(digits.length);
  return digits.slice(0, Math.min(6, digits.length - 4)) + '****' + digits.slice(-4);
}

/** Masks every phone number inside free text (a carrier's error message): digit runs of 7 to 15, not inside a SID or word. */
export function maskPhonesIn(text: string): string {
  return text.replace(/(?<![\w+])\+?\d{7,15}(?!\w)/g, (n) => maskPhone(n));
}

/** A request path for the log: decoded (`%2B86…` is a number too), its phone numbers masked. */
export function maskPhonesInPath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: masked as it is.
  }
  return maskPhonesIn(decoded);
}
