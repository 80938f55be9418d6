// A small pool of worker threads that run SampleTasks (store sample extraction), so one query's
// decompression and line parsing use every core. A worker that fails or exits fails only the tasks
// it held, with an error; the pool starts a fresh one for later tasks. A task run with an abort
// signal fails as soon as it aborts (the worker skips or stops it, see SampleTask.scope). Workers
// never keep the process alive, and close() terminates them.
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { rebuildError, type ErrorDescription } from '../model/error-description.js';
import { CancelledError, LokiError } from '../model/errors.js';
import { endScope, scopeEnded, type SampleTask, type SampleTaskResult, type TaskCounts } from './sample-task.js';

interface Pending {
  resolve(r: unknown): void;
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

  /**
   * Runs a task on the least busy worker. Once `signal` aborts, the task fails at once with
   * abortError(signal) and leaves its worker's count of pending tasks; its scope (if any) is ended,
   * so the worker skips the task or stops it at its next chunk.
   */
  run(task: SampleTask, signal?: AbortSignal): Promise<SampleTaskResult> {
    if (this.closed) return Promise.reject(new Error('query workers are shut down'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (scopeEnded(task.scope)) return Promise.reject(new CancelledError());
    const onAbort = (): void => {
      if (task.scope !== undefined) endScope(task.scope);
    };
    return this.send<SampleTaskResult>(this.pick(), { task }, signal, onAbort);
  }

  /** What each running worker did with its tasks so far: expressions parsed, extractors compiled, tasks cancelled (diagnostics). */
  taskCounts(): Promise<TaskCounts[]> {
    return Promise.all(this.workers.map((w) => this.send<TaskCounts>(w, { counts: true })));
  }

  /** Posts a message to a worker and waits for its answer; `signal` (calling `onAbort`) stops waiting. */
  private send<T>(w: PoolWorker, message: { task: SampleTask } | { counts: true }, signal?: AbortSignal, onAbort?: () => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const aborted = (): void => {
        onAbort?.();
        if (!w.pending.delete(id)) return;
        if (w.pending.size === 0) w.worker.unref();
        reject(abortError(signal!));
      };
      const settled = (): void => signal?.removeEventListener('abort', aborted);
      // A worker with tasks keeps the process alive until it answers; an idle one never does.
      if (w.pending.size === 0) w.worker.ref();
      w.pending.set(id, {
        resolve: (r) => (settled(), resolve(r as T)),
        reject: (e) => (settled(), reject(e)),
      });
      signal?.addEventListener('abort', aborted, { once: true });
      try {
        w.worker.postMessage({ id, ...message });
      } catch (e) {
        settled();
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
    worker.on('message', (msg: { id: number; result?: unknown; error?: Partial<ErrorDescription> }) => {
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

/** The error an aborted read fails with (as the engine's): the signal's LokiError (e.g. a timeout), or a cancellation. */
export function abortError(signal: AbortSignal): LokiError {
  return signal.reason instanceof LokiError ? signal.reason : new CancelledError();
}

/** The error a task failed with: a LokiError rebuilt as its class, anything else as its message. */
function taskError(e: Partial<ErrorDescription> | undefined): Error {
  if (e?.kind !== undefined && e.httpStatus !== undefined) return rebuildError({ kind: e.kind, httpStatus: e.httpStatus, message: e.message ?? '' });
  return new Error(e?.message ?? 'query worker failed');
}
