/**
 * In-process event bus: task and frame changes, published by the API handlers
 * and the scheduler, delivered to the event stream of the owning user.
 *
 * This is all one process needs. Several API replicas would each hold their
 * own bus; `subscribeAll` is the hook a cross-replica bridge (e.g. PostgreSQL
 * LISTEN/NOTIFY) attaches to — no such bridge exists yet.
 */

export interface FarmEvent {
  /** The owner of the task; only this user's streams receive the event. */
  userId: number;
  type: 'task' | 'frame';
  taskId: number;
  frameId?: number;
  /** The new task status (type "task") or frame status (type "frame"), reference numbers. */
  status: number;
  /** Optional extras (e.g. progress, output paths). */
  detail?: Record<string, unknown>;
  /** Milliseconds since the epoch; filled in by publish() when absent. */
  at?: number;
}

export type FarmEventListener = (event: Readonly<Required<Pick<FarmEvent, 'at'>> & FarmEvent>) => void;

export class EventBus {
  private readonly byUser = new Map<number, Set<FarmEventListener>>();
  private readonly all = new Set<FarmEventListener>();

  publish(event: FarmEvent): void {
    const e = { ...event, at: event.at ?? Date.now() };
    for (const l of this.byUser.get(e.userId) ?? []) this.deliver(l, e);
    for (const l of this.all) this.deliver(l, e);
  }

  /** Receive one user's events; returns the unsubscribe function. */
  subscribe(userId: number, listener: FarmEventListener): () => void {
    let set = this.byUser.get(userId);
    if (set === undefined) {
      set = new Set();
      this.byUser.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byUser.delete(userId);
    };
  }

  /** Receive every event (bridges, metrics); returns the unsubscribe function. */
  subscribeAll(listener: FarmEventListener): () => void {
    this.all.add(listener);
    return () => {
      this.all.delete(listener);
    };
  }

  /** Number of live per-user subscriptions (shown by /metrics). */
  subscriberCount(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  private deliver(listener: FarmEventListener, event: Required<Pick<FarmEvent, 'at'>> & FarmEvent): void {
    // One broken subscriber (e.g. a closed socket) must not stop delivery to the others.
    try {
      listener(event);
    } catch {
      // the subscriber's own cleanup handles its failure
    }
  }
}
