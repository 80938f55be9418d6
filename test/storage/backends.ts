// The two ObjectStore backends the storage tests run against with the same test bodies: a temp
// directory, and a real S3 server (Ceph RGW, one per test file) with a fresh bucket per location.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFilesystemStore, createS3Store, type ObjectStore, type S3Config } from '../../src/storage/index.js';
import { startS3Server, type S3TestServer } from '../support/s3.js';

export interface Backend {
  name: 'filesystem' | 's3';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A fresh, empty place to store objects (a directory or a bucket). */
  newLocation(): string;
  /** A client on a location; several clients on one location see the same objects. */
  open(location: string): ObjectStore;
}

let counter = 0;
const unique = (): string => `${process.pid}-${Date.now().toString(36)}-${counter++}`;

export function filesystemBackend(): Backend {
  let root = '';
  return {
    name: 'filesystem',
    async start() {
      root = await mkdtemp(path.join(tmpdir(), 'storage-test-'));
    },
    async stop() {
      await rm(root, { recursive: true, force: true });
    },
    newLocation: () => path.join(root, unique()),
    open: (location) => createFilesystemStore(location),
  };
}

export function s3Backend(): Backend & { server(): S3TestServer; config(location: string): S3Config } {
  let server: S3TestServer | undefined;
  const config = (bucket: string): S3Config => ({
    endpoint: server!.endpoint,
    bucketnames: bucket,
    region: server!.region,
    access_key_id: server!.accessKeyId,
    secret_access_key: server!.secretAccessKey,
    s3forcepathstyle: true,
    backoff_config: { min_period: '10ms', max_period: '50ms', max_retries: 3 },
  });
  return {
    name: 's3',
    async start() {
      server = await startS3Server();
    },
    async stop() {
      await server?.stop();
    },
    newLocation: () => `test-${unique()}`.toLowerCase(),
    open: (bucket) => createS3Store(config(bucket)),
    server: () => server!,
    config,
  };
}
