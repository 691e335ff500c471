/**
 * An OpenAPI 3.1 document generated from the endpoint catalogue: every path
 * (current and legacy) is a POST whose body is the request schema and whose
 * answer is the envelope with `data` of the response schema.
 */
import { z } from 'zod';
import { API_VERSION } from '../signing.js';
import { ENDPOINT_LIST } from './catalogue.js';
import type { EndpointDef } from './define.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:7200`. */
  serverUrl?: string;
  /** The document's `info.version`; defaults to the protocol version. */
  version?: string;
}

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * zod puts shared and recursive schemas (those with a meta id, e.g. TaskInfo)
 * under `$defs` of each converted schema; an OpenAPI document keeps them once
 * under `components.schemas`, so hoist them there and rewrite the references.
 */
function hoist(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  const { $defs: _defs, $schema: _schema, ...rest } = schema;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/$defs/', COMPONENT_PREFIX) : rewrite(x);
      }
      return out;
    }
    return v;
  };
  for (const [name, d] of Object.entries(defs)) components[name] = rewrite(d) as JsonSchema;
  return rewrite(rest) as JsonSchema;
}

function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>) {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
  return hoist(json as JsonSchema, components);
}

function envelopeOf(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['version', 'result', 'code', 'message', 'data', 'serverTime', 'requestId'],
    properties: {
      version: { type: 'string' },
      result: { type: 'boolean' },
      code: { type: 'integer', description: '200 on success; see the error catalogue otherwise' },
      message: { type: 'string' },
      data: { anyOf: [data, { type: 'null' }] },
      serverTime: { type: 'integer', description: 'ms since the epoch' },
      requestId: { type: 'string' },
    },
  };
}

function operation(e: EndpointDef, path: string, components: Record<string, JsonSchema>) {
  const legacy = path !== e.path;
  return {
    operationId: legacy ? `${e.name}@${path}` : e.name,
    summary: e.summary,
    tags: [e.operator],
    ...(legacy ? { deprecated: true, description: `Legacy path of ${e.path}.` } : {}),
    security: [{ accessId: [], signature: [] }],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: toSchema(e.request, 'input', components) } },
    },
    responses: {
      '200': {
        description: 'The envelope; `code` 200 means success, any other code is an error.',
        content: { 'application/json': { schema: envelopeOf(toSchema(e.response, 'output', components)) } },
      },
    },
  };
}

export function openApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, unknown> = {};
  for (const e of ENDPOINT_LIST) {
    for (const p of [e.path, ...e.legacyPaths]) paths[p] = { post: operation(e, p, components) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'openfarm API',
      version: options.version ?? API_VERSION,
      description:
        'Every call is a signed POST (headers accessId, channel, platform, UTCTimestamp, nonce, version, signature).',
    },
    ...(options.serverUrl !== undefined ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        accessId: { type: 'apiKey', in: 'header', name: 'accessId' },
        signature: { type: 'apiKey', in: 'header', name: 'signature' },
      },
    },
  };
}
