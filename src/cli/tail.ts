// `logcli query --tail`: prints Loki tail frames as they arrive, reports dropped entries, reconnects
// from the last timestamp after an abnormal close (5 attempts). Never pages or sorts.
import type WebSocket from 'ws';
import { labelsString, type Labels } from '../model/labels.js';
import { Backoff, type TailDial } from './client.js';
import type { LogOutput } from './output.js';
import { matchLabels } from './result-printer.js';
import { FatalError, type Colors, type GoLogger } from './terminal.js';
import { formatGoTimeString, type TimeZone } from './time-format.js';
import { decodeTailFrame } from './wire.js';

export interface TailSpec {
  query: string;
  start: bigint;
  limit: number;
  delayForSeconds: number;
  quiet: boolean;
  noLabels: boolean;
  showLabelsKey: readonly string[];
  ignoreLabelsKey: readonly string[];
}

export interface TailClient {
  dialTail(query: string, delayForSeconds: number, limit: number, start: bigint, quiet: boolean): TailDial;
}

export interface TailSinks {
  out: LogOutput;
  log: GoLogger;
  colors: Colors;
  timezone: TimeZone;
  /** Called after each frame is printed. */
  flush(): void;
}

const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1015: 'TLS handshake error',
};

/** gorilla/websocket's CloseError text. */
function closeErrorText(code: number, reason: string): string {
  const name = CLOSE_NAMES[code];
  return `websocket: close ${code}${name ? ` (${name})` : ''}${reason ? `: ${reason}` : ''}`;
}

type ReadEnd = { kind: 'closed'; code: number; reason: string } | { kind: 'bad-frame'; message: string } | { kind: 'stopped' };

/** Tails until the server ends the stream, reconnection gives up, or `stop` fires. */
export async function runTail(spec: TailSpec, client: TailClient, sinks: TailSinks, stop: AbortSignal): Promise<void> {
  let lastReceived = spec.start;
  const printFrame = (data: string): void => {
    const frame = decodeTailFrame(JSON.parse(data));
    for (const s of frame.streams) {
      let labels: Labels = [];
      if (!spec.noLabels) {
        labels = s.labels;
        if (spec.showLabelsKey.length > 0) labels = matchLabels(true, labels, spec.showLabelsKey);
        if (spec.ignoreLabelsKey.length > 0) labels = matchLabels(false, labels, spec.ignoreLabelsKey);
      }
      for (const e of s.entries) {
        sinks.out.formatAndPrintln(e.ts, labels, 0, e.line);
        lastReceived = e.ts;
      }
    }
    sinks.flush();
    if (frame.dropped.length > 0) {
      sinks.log.println('Server dropped following entries due to slow client');
      for (const d of frame.dropped) sinks.log.println(formatGoTimeString(d.ts, sinks.timezone), labelsString(d.labels));
    }
  };
  /** Dials from `start`, listening before the handshake completes so no frame is missed. */
  const connect = async (start: bigint): Promise<{ ended: Promise<ReadEnd> }> => {
    const dial = client.dialTail(spec.query, spec.delayForSeconds, spec.limit, start, spec.quiet);
    const ended = readUntilEnd(dial.ws, printFrame, stop);
    await dial.opened;
    return { ended };
  };

  let ended: Promise<ReadEnd>;
  try {
    ({ ended } = await connect(spec.start));
  } catch (e) {
    throw new FatalError(`Tailing logs failed: ${(e as Error).message}`);
  }
  if (spec.ignoreLabelsKey.length > 0 && !spec.quiet) sinks.log.println('Ignoring labels key:', sinks.colors.red(spec.ignoreLabelsKey.join(',')));
  if (spec.showLabelsKey.length > 0 && !spec.quiet) sinks.log.println('Print only labels key:', sinks.colors.red(spec.showLabelsKey.join(',')));

  for (;;) {
    const end = await ended;
    if (end.kind === 'stopped') return;
    if (end.kind === 'bad-frame') {
      sinks.log.println('Error reading stream:', end.message);
      return;
    }
    if (end.code !== 1006) {
      sinks.log.println('Error reading stream:', closeErrorText(end.code, end.reason));
      return;
    }
    sinks.log.print(`Remote websocket connection closed unexpectedly (${closeErrorText(1006, 'unexpected EOF')}). Connecting again.`);
    const backoff = new Backoff(1000, 10_000, 5);
    let next: { ended: Promise<ReadEnd> } | undefined;
    while (backoff.ongoing() && !stop.aborted) {
      try {
        next = await connect(lastReceived);
        break;
      } catch (e) {
        sinks.log.println('Error recreating tailing connection after unexpected close, will retry:', (e as Error).message);
        await backoff.wait();
      }
    }
    if (stop.aborted && next === undefined) return;
    const err = backoff.err();
    if (next === undefined || err !== undefined) {
      sinks.log.println('Error recreating tailing connection:', err ?? 'no connection');
      return;
    }
    ended = next.ended;
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Listens on `ws` until it closes (or `stop` fires), handing every text frame to `onFrame`. */
function readUntilEnd(ws: WebSocket, onFrame: (data: string) => void, stop: AbortSignal): Promise<ReadEnd> {
  return new Promise<ReadEnd>((resolve) => {
    let badFrame: string | undefined;
    const onStop = (): void => {
      ws.removeListener('close', onClose);
      ws.on('error', () => undefined);
      ws.close(1000);
      resolve({ kind: 'stopped' });
    };
    const onClose = (code: number, reason: Buffer): void => {
      stop.removeEventListener('abort', onStop);
      resolve(badFrame !== undefined ? { kind: 'bad-frame', message: badFrame } : { kind: 'closed', code, reason: reason.toString('utf8') });
    };
    if (stop.aborted) return onStop();
    stop.addEventListener('abort', onStop, { once: true });
    ws.on('error', () => undefined);
    ws.on('message', (data: WebSocket.RawData) => {
      if (badFrame !== undefined) return;
      try {
        onFrame(rawText(data));
      } catch (e) {
        badFrame = (e as Error).message;
        ws.terminate();
      }
    });
    ws.on('close', onClose);
  });
}
