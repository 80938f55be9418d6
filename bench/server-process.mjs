// Starts one `node dist/src/main.js` process for the bench (single process or one role of a cluster):
// writes its config, keeps its log in a file, finds its HTTP port in the log and waits for /ready.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Spawns the server with `config` (written to `<dir>/<name>.yml`) and `extraArgs`; resolves to
 * { url, pid, inspectorUrl, logPath, stop } once /ready answers 200. `stop(signal)` ends it and
 * resolves to its exit code or signal.
 */
export async function spawnServer({ root, nodeFlags, config, dir, name, extraArgs = [], inspect = false, env }) {
  const cfgPath = path.join(dir, `${name}.yml`);
  fs.writeFileSync(cfgPath, config);
  const logPath = path.join(dir, `${name}.log`);
  const logFd = fs.openSync(logPath, 'a');
  const nodeArgs = [...nodeFlags, ...(inspect ? ['--inspect=127.0.0.1:0'] : [])];
  const proc = spawn(process.execPath, [...nodeArgs, 'dist/src/main.js', `-config.file=${cfgPath}`, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ? { ...process.env, ...env } : process.env,
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));
  let inspectorUrl;
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    const scan = (d) => {
      fs.writeSync(logFd, d);
      buf += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"HTTP server listening"/.exec(buf);
      const w = /Debugger listening on (ws:\/\/\S+)/.exec(buf);
      if (w) inspectorUrl = w[1];
      if (m && (!inspect || inspectorUrl)) resolve(Number(m[1]));
    };
    proc.stdout.on('data', scan);
    proc.stderr.on('data', scan);
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before listening; log: ${logPath}`)));
  });
  proc.stdout.removeAllListeners('data');
  proc.stderr.removeAllListeners('data');
  proc.stdout.on('data', (d) => fs.writeSync(logFd, d));
  proc.stderr.on('data', (d) => fs.writeSync(logFd, d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${name} not ready after 120 s; log: ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: proc.pid,
    inspectorUrl,
    logPath,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await exited;
      fs.closeSync(logFd);
      return code;
    },
  };
}
