/**
 * A reader of the farm's server-sent event stream (`GET /api/openfarm/events`),
 * authenticated with a short-lived token from a signed call, since a streaming
 * GET carries no body to sign.
 */
import { ApiError, ERRORS } from '@openfarm/protocol';
import type { TransferConnection } from './transfer-client.js';

export const EVENTS_PATH = '/api/openfarm/events';
export const EVENTS_TOKEN_PATH = '/api/openfarm/events/token';

export interface FarmEvent {
  type: string;
  taskId?: number;
  frameId?: number;
  status?: number;
  userId?: number;
  detail?: Record<string, unknown>;
  at?: number;
}

/**
 * Read events until the stream ends, fails or `signal` aborts. `onOpen` runs
 * once the server accepted the subscription (events from then on are seen).
 */
export async function readEventStream(
  connection: TransferConnection,
  onEvent: (event: FarmEvent) => void,
  signal: AbortSignal,
  onOpen: () => void = () => {},
): Promise<void> {
  const { token } = (await connection.post(EVENTS_TOKEN_PATH, {})) as { token: string };
  const response = await (connection.fetch ?? fetch)(
    `${connection.origin}${EVENTS_PATH}?token=${encodeURIComponent(token)}`,
    {
      signal,
      headers: { accept: 'text/event-stream' },
    },
  );
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel();
    // A 5xx is the farm failing (a restart, an outage), anything else a refusal.
    throw new ApiError(response.status >= 500 ? ERRORS.INTERNAL_ERROR.code : ERRORS.SDK_ERROR.code, {
      message: `event stream refused: HTTP ${response.status}`,
      path: connection.origin + EVENTS_PATH,
    });
  }
  onOpen();
  const decoder = new TextDecoder();
  let buffer = '';
  let type = 'message';
  let data = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      if (line === '') {
        if (data !== '') {
          try {
            onEvent({ ...(JSON.parse(data) as FarmEvent), type });
          } catch {
            // not JSON: not one of the farm's events
          }
        }
        type = 'message';
        data = '';
      } else if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data += (data === '' ? '' : '\n') + line.slice(5).trimStart();
    }
  }
}
