import type { AudioStoreLogger } from './types.js';

/** The logger the core uses: redacts secrets from every line, and drops debug lines unless asked. */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Replaces every secret value in a text; secrets shorter than 4 characters are ignored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function format(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** Builds the core's log from the user's logger (`false` for none). */
export function createLog(logger: AudioStoreLogger | false, debug: boolean, secrets: readonly string[]): Log {
  const sink = logger === false ? undefined : logger;
  const say = (level: keyof AudioStoreLogger, line: string) => sink?.[level](redact(line, secrets));
  return {
    debug: (message, fields) => {
      if (debug) say('debug', message + format(fields));
    },
    info: (message) => say('info', message),
    warn: (message) => say('warn', message),
    error: (message) => say('error', message),
  };
}
