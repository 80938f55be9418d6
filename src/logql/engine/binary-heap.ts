// A binary heap with the exact sift rules of Go's container/heap, so that selections with ties
// (topk/bottomk) pick the same elements Loki's heaps pick for the same input order.

export class BinaryHeap<T> {
  readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T {
    return this.items[0];
  }

  push(x: T): void {
    this.items.push(x);
    this.up(this.items.length - 1);
  }

  /** Restores the order after the top element changed in place (Go's heap.Fix(h, 0)). */
  fixTop(): void {
    if (this.items.length > 1) this.down(0, this.items.length);
  }

  pop(): T {
    const n = this.items.length - 1;
    this.swap(0, n);
    this.down(0, n);
    return this.items.pop()!;
  }

  private up(j: number): void {
    for (;;) {
      const i = Math.floor((j - 1) / 2);
      if (j <= 0 || i === j || !this.less(this.items[j], this.items[i])) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(this.items[j2], this.items[j1])) j = j2;
      if (!this.less(this.items[j], this.items[i])) break;
      this.swap(i, j);
      i = j;
    }
  }

  private swap(i: number, j: number): void {
    const t = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = t;
  }
}
