/**
 * Events across API replicas that share one PostgreSQL database: every event
 * published here is sent with NOTIFY on one channel, and every replica LISTENs
 * and hands the others' events to its own streams. PostgreSQL delivers a
 * notification to all listeners once the sending transaction commits (here:
 * at once), so a client connected to any replica sees every change.
 *
 * A dropped listening connection is logged and not re-established: the
 * replica then serves its own events only until it restarts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { FarmEvent } from './bus.js';

export const EVENTS_CHANNEL = 'openfarm_events';

interface Envelope {
  origin: string;
  event: FarmEvent;
}

export function postgresEventsPlugin(connectionString: string): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const origin = randomUUID();
    const listener = new pg.Client({ connectionString });
    await listener.connect();
    listener.on('error', (err) => app.log.error({ err }, 'event bridge: listening connection lost'));
    listener.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || msg.payload === undefined) return;
      try {
        const { origin: from, event } = JSON.parse(msg.payload) as Envelope;
        if (from !== origin) app.farm.events.deliverLocal(event);
      } catch (err) {
        app.log.warn({ err }, 'event bridge: unreadable notification');
      }
    });
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    const sender = new pg.Pool({ connectionString, max: 1 });
    const unsubscribe = app.farm.events.subscribeAll((event) => {
      const payload: Envelope = { origin, event };
      sender
        .query('select pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(payload)])
        .catch((err: unknown) => app.log.warn({ err }, 'event bridge: notify failed'));
    });
    app.addHook('onClose', async () => {
      unsubscribe();
      await listener.end();
      await sender.end();
    });
  };
}
