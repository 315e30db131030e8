/**
 * Structured, secret-free logging. Every line is one JSON object; `redact` removes
 * passwords from anything that looks like a connection string before it is written.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const CONNECTION_PASSWORD = /(postgres(?:ql)?:\/\/[^:/?#@\s]+:)[^@\s]+@/gi;
const PASSWORD_FIELD = /("?(?:password|secret|decrypted_secret|connection_?string|uri)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,}"'&]+)/gi;

/** Removes passwords from connection strings and obvious `password=…` pairs. */
export function redact(text: string): string {
  return text.replace(CONNECTION_PASSWORD, "$1***@").replace(PASSWORD_FIELD, "$1***");
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redact(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  return value;
}

/** A logger writing JSON lines through `write` (console.log by default). */
export function createLogger(base: Record<string, unknown> = {}, write: (line: string) => void = (l) => console.log(l), minLevel: LogLevel = "info"): Logger {
  const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
  const emit = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (order[level] < order[minLevel]) return;
    const entry: Record<string, unknown> = { level, message, ...base };
    for (const [key, value] of Object.entries(fields)) entry[key] = serialise(value);
    write(redact(JSON.stringify(entry)));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...base, ...fields }, write, minLevel),
  };
}

/** A logger that drops everything (tests that do not inspect logs). */
export const silentLogger: Logger = createLogger({}, () => {}, "error");
