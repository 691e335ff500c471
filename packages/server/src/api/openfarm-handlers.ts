/** openfarm's own catalogue endpoints (`/api/openfarm/…`). */
import type { HandlerTable } from './handler.js';

export const OPENFARM_HANDLERS: HandlerTable = {
  'openfarm.eventsToken': async ({ user, farm }) => farm.eventsTokens.issue(user.id),
};
