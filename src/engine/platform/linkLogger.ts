// The slice of a pino logger the approver link and the notifier use, so tests can pass a recorder
// and the engine can pass its pino instance unchanged.

export interface LinkLogger {
  child(bindings: Record<string, unknown>): LinkLogger;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  debug?(obj: Record<string, unknown>, msg?: string): void;
}

export const silentLogger: LinkLogger = {
  child: () => silentLogger,
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
};
