// ObjectStore on S3 or an S3-compatible server (@aws-sdk/client-s3), configured with Loki's
// storage_config.aws keys. Retries transient failures with backoff; never buffers more than one object.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { parseGoDuration } from '../model/time.js';
import { DEFAULT_BACKOFF, withRetries, type BackoffPolicy } from './backoff.js';
import { ObjectNotFoundError, validateObjectKey, validateRange, type ObjectStore } from './object-store.js';

/** Loki's storage_config.aws block. Durations are Go duration strings or milliseconds. */
export interface S3Config {
  endpoint?: string;
  /** One bucket, or several separated by commas (objects are spread across them by key hash). */
  bucketnames?: string;
  region?: string;
  access_key_id?: string;
  secret_access_key?: string;
  s3forcepathstyle?: boolean;
  insecure?: boolean;
  /** Loki's URL form: `s3://key:secret@region/bucket`, `s3://key:secret@host.name:port/bucket`, `http://key:secret@host:port/bucket`. */
  s3?: string;
  backoff_config?: { min_period?: string | number; max_period?: string | number; max_retries?: number };
}

interface ResolvedS3Config {
  endpoint?: string;
  buckets: string[];
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  backoff: BackoffPolicy;
}

function durationMs(value: string | number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const ns = parseGoDuration(value);
  if (ns === undefined || ns < 0n) throw new TypeError(`invalid duration for ${name}: ${JSON.stringify(value)}`);
  return Number(ns) / 1e6;
}

function isIpOrLocalhost(host: string): boolean {
  return host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
}

/** Turns Loki's aws keys (and its `s3:` URL form) into what the client needs. Explicit keys win over the URL. */
export function resolveS3Config(cfg: S3Config): ResolvedS3Config {
  let endpoint: string | undefined;
  let region: string | undefined;
  let bucketnames = cfg.bucketnames;
  let accessKeyId = cfg.access_key_id;
  let secretAccessKey = cfg.secret_access_key;
  let pathStyleFromUrl = false;
  if (cfg.s3) {
    const url = new URL(cfg.s3);
    if (url.username) accessKeyId ??= decodeURIComponent(url.username);
    if (url.password) secretAccessKey ??= decodeURIComponent(url.password);
    const bucket = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
    if (bucket) bucketnames ??= bucket;
    if (url.protocol === 's3:') {
      if (url.host.includes('.') || url.port) endpoint = `${cfg.insecure ? 'http' : 'https'}://${url.host}`;
      else region = url.host;
    } else {
      endpoint = `${url.protocol}//${url.host}`;
      pathStyleFromUrl = true;
    }
  }
  if (cfg.endpoint) {
    endpoint = /^[a-z][a-z0-9+.-]*:\/\//i.test(cfg.endpoint) ? cfg.endpoint : `${cfg.insecure ? 'http' : 'https'}://${cfg.endpoint}`;
  }
  const buckets = (bucketnames ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (buckets.length === 0) throw new TypeError('S3 storage needs a bucket: set bucketnames (or a bucket in the s3 URL)');
  const endpointHost = endpoint ? new URL(endpoint).hostname : undefined;
  return {
    endpoint,
    buckets,
    region: cfg.region || region || 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: cfg.s3forcepathstyle ?? (pathStyleFromUrl || (endpointHost !== undefined && isIpOrLocalhost(endpointHost))),
    backoff: {
      minDelayMs: durationMs(cfg.backoff_config?.min_period, DEFAULT_BACKOFF.minDelayMs, 'backoff_config.min_period'),
      maxDelayMs: durationMs(cfg.backoff_config?.max_period, DEFAULT_BACKOFF.maxDelayMs, 'backoff_config.max_period'),
      maxRetries: cfg.backoff_config?.max_retries ?? DEFAULT_BACKOFF.maxRetries,
    },
  };
}

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** 5xx, throttling (429, SlowDown) and network failures are worth retrying; other 4xx are not. */
export function isRetryableS3Error(err: unknown): boolean {
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status !== 0) return status >= 500 || status === 429;
  return (e?.name !== undefined && RETRYABLE_NAMES.has(e.name)) || (e?.code !== undefined && RETRYABLE_CODES.has(e.code));
}

function statusOf(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as SdkError)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404;
}

/** FNV-1a 32 of the key: which bucket holds it when several are configured. */
function bucketIndex(key: string, count: number): number {
  if (count === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucketsReady = new Map<string, Promise<void>>();

  constructor(private readonly cfg: ResolvedS3Config) {
    const clientConfig: S3ClientConfig = {
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.forcePathStyle,
      credentials: cfg.credentials,
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    };
    this.client = new S3Client(clientConfig);
  }

  private retry<T>(op: () => Promise<T>): Promise<T> {
    return withRetries(this.cfg.backoff, isRetryableS3Error, op);
  }

  private bucketFor(key: string): string {
    return this.cfg.buckets[bucketIndex(key, this.cfg.buckets.length)];
  }

  /** Creates the bucket on first use when it does not exist; remembered once it succeeded. */
  private ready(bucket: string): Promise<void> {
    let p = this.bucketsReady.get(bucket);
    if (!p) {
      p = this.createBucketIfMissing(bucket);
      p.catch(() => this.bucketsReady.delete(bucket));
      this.bucketsReady.set(bucket, p);
    }
    return p;
  }

  private async createBucketIfMissing(bucket: string): Promise<void> {
    try {
      await this.retry(() => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
      return;
    } catch (err) {
      // Credentials limited to object access may not head the bucket; then it is there to use.
      if (statusOf(err) === 403) return;
      if (!isNotFound(err)) throw err;
    }
    const onAws = this.cfg.endpoint === undefined && this.cfg.region !== 'us-east-1';
    try {
      await this.retry(() =>
        this.client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            CreateBucketConfiguration: onAws ? { LocationConstraint: this.cfg.region as never } : undefined,
          }),
        ),
      );
    } catch (err) {
      const name = (err as SdkError)?.name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    validateObjectKey(key);
    const bucket = this.bucketFor(key);
    await this.ready(bucket);
    await this.retry(() =>
      this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentLength: data.length })),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    return this.read(key, undefined);
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    validateRange(offset, length);
    if (length === 0) {
      await this.head(key);
      return new Uint8Array(0);
    }
    return this.read(key, `bytes=${offset}-${offset + length - 1}`);
  }

  private async head(key: string): Promise<void> {
    validateObjectKey(key);
    const bucket = this.bucketFor(key);
    await this.ready(bucket);
    try {
      await this.retry(() => this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  private async read(key: string, range: string | undefined): Promise<Uint8Array> {
    validateObjectKey(key);
    const bucket = this.bucketFor(key);
    await this.ready(bucket);
    try {
      return await this.retry(async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
        if (!out.Body) return new Uint8Array(0);
        return await out.Body.transformToByteArray();
      });
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      if (statusOf(err) === 416 || (err as SdkError)?.name === 'InvalidRange') return new Uint8Array(0);
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for (const bucket of this.cfg.buckets) {
      await this.ready(bucket);
      let token: string | undefined;
      do {
        const page = await this.retry(() =>
          this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 })),
        );
        for (const obj of page.Contents ?? []) if (obj.Key !== undefined) keys.push(obj.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    validateObjectKey(key);
    const bucket = this.bucketFor(key);
    await this.ready(bucket);
    try {
      await this.retry(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** A store on the configured S3 bucket(s); buckets are created on first use when missing. */
export function createS3Store(cfg: S3Config): ObjectStore {
  return new S3Store(resolveS3Config(cfg));
}
