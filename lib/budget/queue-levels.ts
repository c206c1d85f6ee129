/**
 * A producer's view of how many jobs wait in each queue it sends to, for the
 * queue length cap: the broker's count as last read (every half second, with
 * the edge's gauges) plus the jobs this producer added since, so a burst
 * between two readings is capped too. Other producers' jobs show at the next
 * reading: the cap may be passed by what they add in half a second. Pure.
 */
export class QueueLevels {
  private readonly levels = new Map<string, { read: number; addedSince: number }>();

  constructor(readonly cap: number) {}

  /** The broker's waiting count for the edge's queue, just read. */
  read(edgeId: string, waiting: number): void {
    this.levels.set(edgeId, { read: waiting, addedSince: 0 });
  }

  /** Takes room for one job on the edge's queue: false when it is full (nothing is added then). */
  take(edgeId: string): boolean {
    const level = this.levels.get(edgeId) ?? { read: 0, addedSince: 0 };
    if (level.read + level.addedSince >= this.cap) return false;
    level.addedSince++;
    this.levels.set(edgeId, level);
    return true;
  }

  /** Jobs waiting as far as this producer knows. */
  waiting(edgeId: string): number {
    const level = this.levels.get(edgeId);
    return level ? level.read + level.addedSince : 0;
  }
}
