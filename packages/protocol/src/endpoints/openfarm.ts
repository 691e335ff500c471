/** openfarm's own endpoints, under `/api/openfarm/…`, signed like the reference ones. */
import { z } from 'zod';
import { emptyBody } from '../models/primitives.js';
import { defineEndpoint } from './define.js';

export const OPENFARM_ENDPOINTS = {
  'openfarm.eventsToken': defineEndpoint({
    name: 'openfarm.eventsToken',
    operator: 'openfarm',
    method: 'eventsToken',
    path: '/api/openfarm/events/token',
    legacyPaths: [],
    request: emptyBody(),
    response: z.looseObject({
      /** Short-lived bearer for the event stream (EventSource cannot sign requests). */
      token: z.string().min(1),
      /** ms epoch */
      expiresAt: z.int(),
    }),
    summary: 'A short-lived token to open the server-sent event stream.',
  }),
} as const;
