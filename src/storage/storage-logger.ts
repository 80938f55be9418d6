// The logging seam of the storage module: pino-compatible `warn(obj, msg)`. Holds no logger of its own
// beyond a stderr fallback; never throws.

export interface StorageLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const stderrLogger: StorageLogger = {
  warn(obj, msg) {
    process.stderr.write(JSON.stringify({ level: 'warn', msg, ...obj }) + '\n');
  },
};
