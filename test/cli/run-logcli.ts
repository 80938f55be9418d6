// Runs bin/logcli as a child process (asynchronously, so servers in the test process keep
// answering) and collects its exit status, stdout and stderr.
import { spawn } from 'node:child_process';

export interface LogcliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr without Go's "2006/01/02 15:04:05 " log prefixes. */
  log: string;
}

export const LOG_PREFIX = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} /gm;

export interface RunOptions {
  env?: Record<string, string>;
  /** Resolve once stdout contains this text, then interrupt logcli with SIGINT. */
  interruptAfter?: (stdout: string, stderr: string) => boolean;
  timeoutMs?: number;
}

/** Environment of every run: no inherited LOKI_* variables, times in UTC. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOKI_')) env[k] = v;
  return { ...env, TZ: 'UTC', ...extra };
}

export function runLogcli(args: string[], o: RunOptions = {}): Promise<LogcliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/logcli', ...args], { env: cleanEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const check = (): void => {
      if (!interrupted && o.interruptAfter?.(stdout, stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      check();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`logcli ${args.join(' ')} did not finish:\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, o.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, log: stderr.replace(LOG_PREFIX, '') });
    });
  });
}
