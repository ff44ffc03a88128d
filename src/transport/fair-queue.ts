/** What the queue needs to know about a waiting item. */
export interface Queueable {
  readonly source: string;
  readonly priority: 'normal' | 'high';
}

/**
 * Waiting requests, served 'high' first, then round-robin between sources so one busy
 * poller cannot starve another; first-in first-out within one source.
 * Each priority is a Map from source to its FIFO; Map keeps insertion order, so
 * moving a served source to the end (delete + set) gives the rotation.
 * `remove` is O(1): a removed item stays in its FIFO, dead, until `take` passes it.
 */
export class FairQueue<T extends Queueable> {
  private readonly lanes = { high: new Map<string, T[]>(), normal: new Map<string, T[]>() };
  private readonly live = new Set<T>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.live.size;
  }

  has(item: T): boolean {
    return this.live.has(item);
  }

  /** Add at the back of its source. False when `limit` items already wait (unless forced). */
  push(item: T, force = false): boolean {
    if (!force && this.live.size >= this.limit) return false;
    if (this.live.has(item)) return true;
    const lane = this.lanes[item.priority];
    const list = lane.get(item.source);
    if (list) list.push(item);
    else lane.set(item.source, [item]);
    this.live.add(item);
    return true;
  }

  /** Take the next item, honouring priority and the rotation. */
  take(): T | undefined {
    for (const lane of [this.lanes.high, this.lanes.normal]) {
      for (const [source, list] of lane) {
        while (list.length > 0 && !this.live.has(list[0])) list.shift();
        lane.delete(source);
        const item = list.shift();
        if (item === undefined) continue;
        if (list.length > 0) lane.set(source, list);
        this.live.delete(item);
        return item;
      }
    }
    return undefined;
  }

  /** Remove one waiting item; false when it was not waiting. */
  remove(item: T): boolean {
    return this.live.delete(item);
  }

  /** Remove every item `predicate` picks; returns them. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const item of this.live) {
      if (predicate(item)) removed.push(item);
    }
    for (const item of removed) this.live.delete(item);
    return removed;
  }

  /** Every waiting item, without removing them, in no particular order. */
  items(): IterableIterator<T> {
    return this.live.values();
  }
}
