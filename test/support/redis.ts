// Starts a throwaway redis-server on 127.0.0.1 (free port, temp dir, no persistence) for tests, or reuses
// REDIS_TEST_ENDPOINT. stop() kills only the process it started and removes its directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  host: string;
  port: number;
  /** host:port */
  endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING and resolves true on +PONG, false on any failure. */
function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedis(): Promise<TestRedis> {
  const reuse = process.env.REDIS_TEST_ENDPOINT;
  if (reuse) {
    const colon = reuse.lastIndexOf(':');
    const host = reuse.slice(0, colon);
    const port = Number(reuse.slice(colon + 1));
    return { host, port, endpoint: `${host}:${port}`, stop: async () => {} };
  }

  const host = '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'redis-test-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', host, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (spawnError) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`cannot start redis-server (${spawnError.message}); install it with scripts/redis/install.sh`);
    }
    if (child.exitCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`redis-server exited with code ${child.exitCode}:\n${output}`);
    }
    if (await ping(host, port)) return { host, port, endpoint: `${host}:${port}`, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`redis-server did not answer PING on ${host}:${port} within 10s:\n${output}`);
}
