// Entry of a sample extraction worker thread: runs the SampleTasks the pool posts and answers each
// with its result or its error (class, status and message). Holds no state between tasks.
import { parentPort } from 'node:worker_threads';
import { describeError } from '../model/error-description.js';
import { LokiError } from '../model/errors.js';
import { runSampleTask, type SampleTask } from './sample-task.js';

const port = parentPort;
if (port === null) throw new Error('sample-worker must run as a worker thread');
port.on('message', (msg: { id: number; task: SampleTask }) => {
  try {
    const result = runSampleTask(msg.task);
    const transfer: ArrayBuffer[] = [];
    for (const s of result.series) {
      transfer.push(s.offsets.buffer as ArrayBuffer, s.values.buffer as ArrayBuffer);
      if (s.hashes) transfer.push(s.hashes.buffer as ArrayBuffer);
    }
    port.postMessage({ id: msg.id, result }, [...new Set(transfer)]);
  } catch (e) {
    // A LokiError keeps its class and status across the thread boundary; anything else is a message.
    const error = e instanceof LokiError ? describeError(e) : { message: e instanceof Error ? e.message : String(e) };
    port.postMessage({ id: msg.id, error });
  }
});
