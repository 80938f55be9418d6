// A small pool of worker threads that run SampleTasks (store sample extraction), so one query's
// decompression and line parsing use every core. A worker that fails or exits fails only the tasks
// it held, with an error; the pool starts a fresh one for later tasks. Workers never keep the
// process alive, and close() terminates them.
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { rebuildError, type ErrorDescription } from '../model/error-description.js';
import type { SampleTask, SampleTaskResult } from './sample-task.js';

interface Pending {
  resolve(r: SampleTaskResult): void;
  reject(e: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** The compiled worker entry: beside this module in dist/, or dist/'s copy when run from the TypeScript sources (tests). */
function workerEntry(): URL | undefined {
  const here = new URL(import.meta.url);
  const entry = here.pathname.endsWith('.js')
    ? new URL('./sample-worker.js', here)
    : new URL('../../dist/src/querier/sample-worker.js', here);
  return fs.existsSync(fileURLToPath(entry)) ? entry : undefined;
}

export class SampleWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly entry: URL,
  ) {}

  /** A pool with one worker per core (at most `max`), or undefined when the worker entry is not built. */
  static create(max = 4): SampleWorkerPool | undefined {
    const entry = workerEntry();
    const size = Math.min(max, os.availableParallelism());
    return entry === undefined || size < 1 ? undefined : new SampleWorkerPool(size, entry);
  }

  /** Runs a task on the least busy worker. */
  run(task: SampleTask): Promise<SampleTaskResult> {
    if (this.closed) return Promise.reject(new Error('query workers are shut down'));
    const w = this.pick();
    const id = this.nextId++;
    return new Promise<SampleTaskResult>((resolve, reject) => {
      // A worker with tasks keeps the process alive until it answers; an idle one never does.
      if (w.pending.size === 0) w.worker.ref();
      w.pending.set(id, { resolve, reject });
      try {
        w.worker.postMessage({ id, task });
      } catch (e) {
        w.pending.delete(id);
        if (w.pending.size === 0) w.worker.unref();
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Starts the missing workers (they load their code while idle). */
  warm(): void {
    if (this.closed) return;
    while (this.workers.length < this.size) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    for (const w of all) this.fail(w, new Error('query workers are shut down'));
    await Promise.all(all.map((w) => w.worker.terminate()));
  }

  private pick(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const w of this.workers) if (best === undefined || w.pending.size < best.pending.size) best = w;
    if (best !== undefined && (best.pending.size === 0 || this.workers.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): PoolWorker {
    const worker = new Worker(this.entry);
    worker.unref();
    const w: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (msg: { id: number; result?: SampleTaskResult; error?: Partial<ErrorDescription> }) => {
      const p = w.pending.get(msg.id);
      if (p === undefined) return;
      w.pending.delete(msg.id);
      if (w.pending.size === 0) worker.unref();
      if (msg.result !== undefined) p.resolve(msg.result);
      else p.reject(taskError(msg.error));
    });
    worker.on('error', (e) => this.drop(w, new Error(`query worker failed: ${e.message}`)));
    worker.on('exit', (code) => this.drop(w, new Error(`query worker exited with code ${code}`)));
    this.workers.push(w);
    return w;
  }

  /** Removes a failed worker from the pool and fails the tasks it held. */
  private drop(w: PoolWorker, e: Error): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    this.fail(w, e);
    void w.worker.terminate();
  }

  private fail(w: PoolWorker, e: Error): void {
    for (const p of w.pending.values()) p.reject(e);
    w.pending.clear();
  }
}

/** The error a task failed with: a LokiError rebuilt as its class, anything else as its message. */
function taskError(e: Partial<ErrorDescription> | undefined): Error {
  if (e?.kind !== undefined && e.httpStatus !== undefined) return rebuildError({ kind: e.kind, httpStatus: e.httpStatus, message: e.message ?? '' });
  return new Error(e?.message ?? 'query worker failed');
}
