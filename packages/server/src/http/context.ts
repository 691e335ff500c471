/**
 * What the server hangs on fastify: `app.farm` (store, events, auth) and, per
 * request, the authenticated user, the body as signed, and the language.
 */
import type { JsonTextValue } from '@openfarm/protocol';
import type { UserRow } from '../accounts/users.js';
import type { EventsTokens } from '../auth/events-token.js';
import type { SignatureVerifier } from '../auth/verify.js';
import type { EventBus } from '../events/bus.js';
import type { RequestMetrics } from '../ops/request-metrics.js';
import type { StorageHealth } from '../ops/storage-health.js';
import type { Store } from '../store/store.js';
import type { JobFileSource } from '../tasks/job-files.js';
import type { UnverifiedBudget } from './unverified-gate.js';

export interface FarmContext {
  readonly store: Store;
  readonly events: EventBus;
  readonly verifier: SignatureVerifier;
  readonly eventsTokens: EventsTokens;
  readonly metrics: RequestMetrics;
  /** Whether the farm can write; a full disk marks it degraded until a write goes through. */
  readonly storage: StorageHealth;
  /** Bytes of JSON bodies read before their sender is proven (see http/unverified-gate.ts). */
  readonly unverified: UnverifiedBudget;
  /** Where submit also looks for job files not sent through taskJsonFile (e.g. config storage). */
  readonly jobFileSources: JobFileSource[];
  /** Root of the data directory (database, blobs); undefined for a store given by the caller. */
  readonly dataDir: string | undefined;
  /** Where clients reach the server behind a reverse proxy (`--public-url`; see http/public-url.ts). */
  readonly publicUrl: URL | undefined;
  /** Render nodes seen within this many ms make the software catalogue (catalog/live-renderers.ts). */
  readonly catalogWindowMs: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    farm: FarmContext;
  }
  interface FastifyRequest {
    /** Set by the signature pre-handler; null on unauthenticated routes. */
    user: UserRow | null;
    /** The JSON body parsed with parseJsonText (numbers keep their text), for signature checks. */
    signedBody: JsonTextValue | undefined;
  }
}
