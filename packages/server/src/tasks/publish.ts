/** Publishing what an action changed, after its transaction committed. */
import type { EventBus } from '../events/bus.js';
import type { ActionResult } from './actions.js';

export function publishChanges(events: EventBus, result: ActionResult): void {
  for (const t of result.tasks) {
    events.publish({
      userId: t.userId,
      type: 'task',
      taskId: t.id,
      status: t.status,
      ...(t.deleted === true ? { detail: { deleted: true } } : {}),
    });
  }
  for (const f of result.frames) {
    events.publish({ userId: f.userId, type: 'frame', taskId: f.taskId, frameId: f.id, status: f.state });
  }
}
