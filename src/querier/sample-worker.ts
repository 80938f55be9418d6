// Entry of a sample extraction worker thread: runs the SampleTasks the pool posts and answers each
// with its result or its error (class, status and message). Between tasks it keeps only the
// compiled expressions of recent reads (sample-task.ts), and drops a read's extractor once it is over.
import { parentPort } from 'node:worker_threads';
import { describeError } from '../model/error-description.js';
import { LokiError } from '../model/errors.js';
import { dropEndedExtractors, runSampleTask, taskCounts, type SampleTask } from './sample-task.js';

const port = parentPort;
if (port === null) throw new Error('sample-worker must run as a worker thread');

/** While extractors of reads are kept, looks now and then whether their reads are over. */
let sweep: NodeJS.Timeout | undefined;
function sweepLater(): void {
  if (sweep !== undefined) return;
  sweep = setTimeout(() => {
    sweep = undefined;
    if (dropEndedExtractors()) sweepLater();
  }, 1000);
  sweep.unref();
}

port.on('message', (msg: { id: number; task: SampleTask } | { id: number; counts: true }) => {
  if (!('task' in msg)) {
    port.postMessage({ id: msg.id, result: { ...taskCounts } });
    return;
  }
  try {
    dropEndedExtractors();
    const result = runSampleTask(msg.task);
    const transfer: ArrayBuffer[] = [];
    for (const s of result.series) {
      transfer.push(s.offsets.buffer as ArrayBuffer, s.values.buffer as ArrayBuffer);
      if (s.hashes) transfer.push(s.hashes.buffer as ArrayBuffer);
    }
    port.postMessage({ id: msg.id, result }, [...new Set(transfer)]);
  } catch (e) {
    // A LokiError (a cancellation too) keeps its class and status across the thread boundary; anything else is a message.
    const error = e instanceof LokiError ? describeError(e) : { message: e instanceof Error ? e.message : String(e) };
    port.postMessage({ id: msg.id, error });
  }
  sweepLater();
});
