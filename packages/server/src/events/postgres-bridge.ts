/**
 * Events across API replicas that share one PostgreSQL database: every event
 * published here is sent with NOTIFY on one channel, and every replica LISTENs
 * and hands the others' events to its own streams. PostgreSQL delivers a
 * notification to all listeners once the sending transaction commits (here:
 * at once), so a client connected to any replica sees every change.
 *
 * A dropped listening connection is re-established (backing off from 0.5 s
 * to 10 s). Whatever the other replicas published meanwhile is lost to this
 * one, so its event streams are ended twice — when the connection drops and
 * when it is back — and their clients reconnect and re-read the state.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { FarmEvent } from './bus.js';

export const EVENTS_CHANNEL = 'openfarm_events';

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

interface Envelope {
  origin: string;
  event: FarmEvent;
}

export function postgresEventsPlugin(connectionString: string): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const origin = randomUUID();
    const events = app.farm.events;
    let listener: pg.Client | undefined;
    let closing = false;
    let retryMs = RETRY_FIRST_MS;
    let retryTimer: NodeJS.Timeout | undefined;

    const onNotification = (msg: pg.Notification): void => {
      if (msg.channel !== EVENTS_CHANNEL || msg.payload === undefined) return;
      try {
        const { origin: from, event } = JSON.parse(msg.payload) as Envelope;
        if (from !== origin) events.deliverLocal(event);
      } catch (err) {
        app.log.warn({ err }, 'event bridge: unreadable notification');
      }
    };
    const listen = async (): Promise<void> => {
      const client = new pg.Client({ connectionString });
      client.on('notification', onNotification);
      client.on('error', (err) => {
        app.log.error({ err }, 'event bridge: listening connection lost');
        lost(client);
      });
      client.on('end', () => lost(client));
      try {
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      } catch (err) {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
        throw err;
      }
      listener = client;
      retryMs = RETRY_FIRST_MS;
    };
    const reconnect = (): void => {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        if (closing) return;
        listen().then(
          () => {
            app.log.info('event bridge: listening again');
            events.signalGap();
          },
          (err: unknown) => {
            app.log.warn({ err, retryMs }, 'event bridge: reconnecting failed');
            retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
            reconnect();
          },
        );
      }, retryMs);
      retryTimer.unref();
    };
    function lost(client: pg.Client): void {
      if (listener !== client) return;
      listener = undefined;
      client.removeAllListeners('end');
      client.end().catch(() => {});
      if (closing) return;
      events.signalGap();
      reconnect();
    }

    await listen();
    const sender = new pg.Pool({ connectionString, max: 1 });
    // A pooled connection that dies is replaced by the pool; its error must not crash the process.
    sender.on('error', (err) => app.log.warn({ err }, 'event bridge: notify connection lost'));
    const unsubscribe = events.subscribeAll((event) => {
      const payload: Envelope = { origin, event };
      sender
        .query('select pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(payload)])
        .catch((err: unknown) => app.log.warn({ err }, 'event bridge: notify failed'));
    });
    app.addHook('onClose', async () => {
      closing = true;
      clearTimeout(retryTimer);
      unsubscribe();
      const l = listener;
      listener = undefined;
      l?.removeAllListeners('end');
      await l?.end();
      await sender.end();
    });
  };
}
