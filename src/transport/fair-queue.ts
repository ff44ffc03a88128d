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
 */
export class FairQueue<T extends Queueable> {
  private readonly lanes = { high: new Map<string, T[]>(), normal: new Map<string, T[]>() };
  private count = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** Add at the back of its source. False when `limit` items already wait (unless forced). */
  push(item: T, force = false): boolean {
    if (!force && this.count >= this.limit) return false;
    const lane = this.lanes[item.priority];
    const list = lane.get(item.source);
    if (list) list.push(item);
    else lane.set(item.source, [item]);
    this.count++;
    return true;
  }

  /** Take the next item that `eligible` accepts, honouring priority and the rotation. */
  take(eligible: (item: T) => boolean): T | undefined {
    for (const lane of [this.lanes.high, this.lanes.normal]) {
      for (const [source, list] of lane) {
        const index = list.findIndex(eligible);
        if (index < 0) continue;
        const [item] = list.splice(index, 1);
        lane.delete(source);
        if (list.length > 0) lane.set(source, list);
        this.count--;
        return item;
      }
    }
    return undefined;
  }

  /** Remove every item `predicate` picks; returns them. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const lane of [this.lanes.high, this.lanes.normal]) {
      for (const [source, list] of lane) {
        const kept = list.filter((item) => {
          if (!predicate(item)) return true;
          removed.push(item);
          return false;
        });
        if (kept.length === 0) lane.delete(source);
        else if (kept.length !== list.length) lane.set(source, kept);
      }
    }
    this.count -= removed.length;
    return removed;
  }

  /** Every waiting item, without removing them. */
  *items(): IterableIterator<T> {
    for (const lane of [this.lanes.high, this.lanes.normal]) {
      for (const list of lane.values()) yield* list;
    }
  }
}
