// Starts the real server as a child process (the built dist/, as `npm start` runs it) on an
// ephemeral port with its own data directory, and stops it by SIGTERM or kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  logs: string[];
  /** Graceful stop (SIGTERM); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** kill -9; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Removes the data directory (call after stop when the test is done with it). */
  cleanup(): void;
}

export interface StartOptions {
  /** YAML config text; `{{DATA}}` is replaced by the data directory. */
  config?: string;
  args?: string[];
  dataDir?: string;
  env?: Record<string, string>;
  /** Wait for /ready 200 (default true). */
  waitReady?: boolean;
}

export const DEFAULT_TEST_CONFIG = `
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  http_listen_port: 0
  log_level: info
common:
  path_prefix: {{DATA}}
limits_config:
  reject_old_samples: false
ingester:
  flush_check_period: 1s
`;

export async function startServer(o: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'lokits-test-'));
  const cfgPath = join(dataDir, `config-${process.pid}-${Date.now()}.yml`);
  writeFileSync(cfgPath, (o.config ?? DEFAULT_TEST_CONFIG).replaceAll('{{DATA}}', dataDir));
  const args = ['dist/src/main.js', `-config.file=${cfgPath}`, '-server.http-listen-port=0', ...(o.args ?? []).map((a) => a.replaceAll('{{DATA}}', dataDir))];
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        const m = /"port":(\d+).*"msg":"HTTP server listening"/.exec(line);
        if (m) resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  if (o.waitReady !== false) await waitReady(url, 60_000);
  return {
    url,
    port,
    dataDir,
    proc,
    logs,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitReady(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url + '/ready');
      if (r.status === 200) return;
      last = `${r.status} ${await r.text()}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} not ready after ${ms} ms: ${last}`);
}
