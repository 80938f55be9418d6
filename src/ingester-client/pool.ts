// Clients of remote ingesters keyed by address (host:port): created on first use, shared, and
// closed when their ingester leaves the ring or they sit idle. Never closes a client with calls in flight.
import { IngesterClient, type IngesterClientOptions } from './client.js';

export interface IngesterClientPoolOptions extends Partial<IngesterClientOptions> {
  /** Close a client unused for this long (0 = never; default 5 min). */
  idleTimeoutMs?: number;
}

export class IngesterClientPool {
  private readonly clients = new Map<string, IngesterClient>();
  private readonly idleTimeoutMs: number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: IngesterClientPoolOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    if (this.idleTimeoutMs > 0) {
      this.sweepTimer = setInterval(() => this.closeIdle(Date.now()), Math.min(this.idleTimeoutMs, 60_000));
      this.sweepTimer.unref();
    }
  }

  /** The client for an address, created on first use. */
  get(address: string): IngesterClient {
    let client = this.clients.get(address);
    if (!client) {
      client = new IngesterClient(address, this.options);
      this.clients.set(address, client);
    }
    return client;
  }

  has(address: string): boolean {
    return this.clients.has(address);
  }

  get size(): number {
    return this.clients.size;
  }

  /** Closes and forgets the clients of addresses not in `addresses` (ingesters that left the ring). */
  retain(addresses: Iterable<string>): void {
    const keep = new Set(addresses);
    for (const address of [...this.clients.keys()]) if (!keep.has(address)) this.remove(address);
  }

  remove(address: string): void {
    const client = this.clients.get(address);
    if (!client) return;
    this.clients.delete(address);
    client.close();
  }

  /** Closes clients idle since before `nowMs - idleTimeoutMs` that have no call in flight. */
  closeIdle(nowMs: number): void {
    if (this.idleTimeoutMs <= 0) return;
    for (const [address, client] of [...this.clients]) {
      if (client.activeCalls === 0 && nowMs - client.lastUsed >= this.idleTimeoutMs) this.remove(address);
    }
  }

  close(): void {
    clearInterval(this.sweepTimer);
    for (const address of [...this.clients.keys()]) this.remove(address);
  }
}
