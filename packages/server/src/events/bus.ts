/**
 * In-process event bus: task and frame changes, published by the API handlers
 * and the scheduler, delivered to the event stream of the owning user.
 *
 * This is all one process needs. API replicas sharing a PostgreSQL database
 * connect their buses with `postgresEventsPlugin` (postgres-bridge.ts): it
 * forwards what `subscribeAll` sees and hands other replicas' events to
 * `deliverLocal`.
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

/**
 * A dashboard-only nudge, outside the task/frame events (so neither the
 * clients' event stream nor the replica bridge sees it): "log" when a render
 * node appended lines to a frame's log (for the task owner's streams), "node"
 * when a render node registered, polled or was enabled/disabled (for admins'
 * streams). This process only: a page open on another replica hears it on
 * that replica's next change.
 */
export type DashboardSignal = { kind: 'log'; userId: number } | { kind: 'node' };
export type DashboardSignalListener = (signal: Readonly<DashboardSignal>) => void;

export type FarmEventListener = (event: Readonly<Required<Pick<FarmEvent, 'at'>> & FarmEvent>) => void;

export class EventBus {
  private readonly byUser = new Map<number, Set<FarmEventListener>>();
  private readonly all = new Set<FarmEventListener>();
  /** Listeners of every event, this replica's and the others' (the scheduler's wake-ups and caches). */
  private readonly farmWide = new Set<FarmEventListener>();
  private readonly gapListeners = new Set<() => void>();
  private readonly signalListeners = new Set<DashboardSignalListener>();

  publish(event: FarmEvent): void {
    const e = { ...event, at: event.at ?? Date.now() };
    for (const l of this.byUser.get(e.userId) ?? []) this.deliver(l, e);
    for (const l of this.all) this.deliver(l, e);
    for (const l of this.farmWide) this.deliver(l, e);
  }

  /**
   * Deliver an event that another replica published: to this process's user
   * streams only, not to `subscribeAll` listeners (which would send it back).
   */
  deliverLocal(event: FarmEvent): void {
    const e = { ...event, at: event.at ?? Date.now() };
    for (const l of this.byUser.get(e.userId) ?? []) this.deliver(l, e);
    for (const l of this.farmWide) this.deliver(l, e);
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

  /**
   * Receive every event, also those other replicas published (delivered by
   * their bridge): a change made through another server must wake this one's
   * long polls and drop what it cached. Not for bridges: they would send the
   * others' events back.
   */
  subscribeFarmWide(listener: FarmEventListener): () => void {
    this.farmWide.add(listener);
    return () => {
      this.farmWide.delete(listener);
    };
  }

  /**
   * Say that events may have been lost (a replica's bridge to the others was
   * down). Event streams end on it, so their clients reconnect and re-read the
   * state, as they do after any drop of the stream.
   */
  signalGap(): void {
    for (const l of [...this.gapListeners]) {
      try {
        l();
      } catch {
        // as in deliver(): one listener's failure is its own
      }
    }
  }

  /** Run `listener` on every signalGap(); returns the unsubscribe function. */
  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => {
      this.gapListeners.delete(listener);
    };
  }

  /** Send a dashboard nudge to this process's dashboard streams (see DashboardSignal). */
  signal(signal: DashboardSignal): void {
    for (const l of [...this.signalListeners]) {
      try {
        l(signal);
      } catch {
        // as in deliver(): one listener's failure is its own
      }
    }
  }

  /** Receive every dashboard nudge; returns the unsubscribe function. */
  onSignal(listener: DashboardSignalListener): () => void {
    this.signalListeners.add(listener);
    return () => {
      this.signalListeners.delete(listener);
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
