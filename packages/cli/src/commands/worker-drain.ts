/**
 * `openfarm workers drain NAME`: the node finishes the frames it is rendering and
 * takes no more. The farm stops leasing to it at once (the same switch as
 * `workers disable`: its polls still renew the leases it holds, so its frames
 * finish and are reported as usual); with `--wait` the command returns once the
 * node holds no frame, so the machine can be stopped or updated. `workers
 * enable NAME` puts it back to work.
 */
import { FrameStatus } from '@openfarm/protocol';
import { type Store, setWorkerDisabled } from '@openfarm/server';
import { WorkerError } from '@openfarm/worker';

/** Frames the node holds a lease on. */
export async function framesRunningOn(store: Store, name: string): Promise<number> {
  const row = await store.db
    .selectFrom('frames')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('lease_owner', '=', name)
    .where('state', '=', FrameStatus.RUNNING)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface DrainOptions {
  /** Wait until the node holds no frame (default: return at once). */
  readonly wait: boolean;
  /** Give up waiting after this long (a frame may render for hours: default no limit). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/** Drain `name`; returns the frames it still holds when the command returns. */
export async function drainWorker(
  store: Store,
  name: string,
  options: DrainOptions,
  say: (line: string) => void,
): Promise<number> {
  if (!(await setWorkerDisabled(store.db, name, true)))
    throw new WorkerError('RESOURCE_NOT_FOUND', `no render node named "${name}"`);
  let running = await framesRunningOn(store, name);
  say(`render node ${name} is draining: it takes no new frames; ${running} frame(s) still rendering`);
  if (!options.wait) return running;
  const giveUpAt =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let last = running;
  while (running > 0 && Date.now() < giveUpAt) {
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
    running = await framesRunningOn(store, name);
    if (running !== last) say(`render node ${name}: ${running} frame(s) still rendering`);
    last = running;
  }
  if (running > 0) {
    throw new WorkerError(
      'TASK_STATE_CONFLICT',
      `render node ${name} still renders ${running} frame(s); it stays drained (workers enable ${name} undoes it)`,
    );
  }
  say(`render node ${name} is drained: no frame left; stop it, or run workers enable ${name}`);
  return 0;
}
