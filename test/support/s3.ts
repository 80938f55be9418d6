// Starts a throwaway Ceph RGW (scripts/s3/start-ceph-rgw.sh) on free 127.0.0.1 ports for tests, or
// reuses the server named by S3_TEST_ENDPOINT. Never touches a server it did not start when stopping.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'LOKIAK';
const SECRET_KEY = 'LOKISECRET';
const REGION = 'us-east-1';
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/s3/start-ceph-rgw.sh');

/** Ports the kernel hands out for 127.0.0.1:0, all held at once so they differ. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function runScript(env: NodeJS.ProcessEnv): Promise<{ stdout: string; error?: Error; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT], { env, timeout: 120_000 }, (error, stdout, stderr) => resolve({ stdout, stderr, error: error ?? undefined }));
  });
}

/** RGW creates its data pools on the first bucket write; doing it here keeps that out of the tests. */
async function warmUp(endpoint: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'warmup' }));
    await client.send(new PutObjectCommand({ Bucket: 'warmup', Key: 'ready', Body: new Uint8Array([1]) }));
  } finally {
    client.destroy();
  }
}

/**
 * A running S3-compatible server. With S3_TEST_ENDPOINT set (plus optional S3_TEST_ACCESS_KEY_ID,
 * S3_TEST_SECRET_ACCESS_KEY, S3_TEST_REGION) that server is reused and stop() leaves it running.
 */
export async function startS3Server(): Promise<S3TestServer> {
  const shared = process.env.S3_TEST_ENDPOINT;
  if (shared) {
    return {
      endpoint: shared,
      accessKeyId: process.env.S3_TEST_ACCESS_KEY_ID ?? ACCESS_KEY,
      secretAccessKey: process.env.S3_TEST_SECRET_ACCESS_KEY ?? SECRET_KEY,
      region: process.env.S3_TEST_REGION ?? REGION,
      stop: async () => {},
    };
  }
  if (!existsSync('/usr/bin/radosgw')) throw new Error('radosgw is not installed: run scripts/s3/install.sh');
  const dir = await mkdtemp(path.join(tmpdir(), 'ceph-'));
  const [rgwPort, monPort] = await freePorts(2);
  const { stdout, stderr, error } = await runScript({
    ...process.env,
    CEPH_DIR: dir,
    RGW_PORT: String(rgwPort),
    MON_PORT: String(monPort),
    WATCH_PID: String(process.pid),
    ACCESS_KEY,
    SECRET_KEY,
  });
  const pids = [...stdout.matchAll(/^[A-Z]+_PID=(\d+)$/gm)].map((m) => Number(m[1]));
  const stop = async (): Promise<void> => {
    await killAll(pids);
    await rm(dir, { recursive: true, force: true });
  };
  if (error || !/^READY$/m.test(stdout)) {
    await stop();
    throw new Error(`Ceph RGW did not start: ${error?.message ?? 'no READY'}\n${stderr}`);
  }
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  try {
    await warmUp(endpoint);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION, stop };
}
