/**
 * TinyUSDZ (the `tinyusdz` npm package: an independent C++ USD reader built to
 * WebAssembly) as a second opinion on the crates this package reads and
 * rewrites. Its build targets browsers only, so while it starts it is shown a
 * browser-like global (`window`) and Node is hidden from its environment check
 * (`process.type`, which Electron sets to "renderer"); both are put back as soon
 * as it has started. The WebAssembly bytes are handed over directly, since its
 * own loader would fetch them by URL.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What the tests use of one TinyUSDZLoaderNative. */
export interface TinyUsdLayer {
  loadAsLayerFromBinary(bytes: Uint8Array, name: string): boolean;
  layerToString(): string;
  extractSublayerAssetPaths(): unknown;
  extractReferencesAssetPaths(): unknown;
  extractPayloadAssetPaths(): unknown;
  error(): string;
  delete(): void;
}

export interface TinyUsd {
  /** The layer of `bytes` as TinyUSDZ prints it (USDA text), or an Error with its message. */
  layerText(bytes: Uint8Array, name: string): string | Error;
  /** Sublayer, reference and payload asset paths as TinyUSDZ lists them. */
  compositionPaths(bytes: Uint8Array, name: string): string[] | Error;
}

let started: Promise<TinyUsd> | undefined;

export function tinyUsd(): Promise<TinyUsd> {
  started ??= start();
  return started;
}

async function start(): Promise<TinyUsd> {
  const require = createRequire(import.meta.url);
  const js = require.resolve('tinyusdz/tinyusdz.js');
  const wasm = readFileSync(require.resolve('tinyusdz/tinyusdz.wasm'));
  const init = (await import(pathToFileURL(js).href)).default as (o: object) => Promise<{
    TinyUSDZLoaderNative: new () => TinyUsdLayer;
  }>;
  const g = globalThis as { window?: unknown };
  const p = process as { type?: string };
  const hadWindow = 'window' in g;
  const type = p.type;
  g.window = {};
  p.type = 'renderer';
  let m: Awaited<ReturnType<typeof init>>;
  try {
    m = await init({ wasmBinary: wasm, print: () => {}, printErr: () => {} });
  } finally {
    if (!hadWindow) delete g.window;
    if (type === undefined) delete p.type;
    else p.type = type;
  }
  const withLayer = <T>(bytes: Uint8Array, name: string, read: (l: TinyUsdLayer) => T): T | Error => {
    const layer = new m.TinyUSDZLoaderNative();
    try {
      if (!layer.loadAsLayerFromBinary(bytes, name)) return new Error(layer.error());
      return read(layer);
    } finally {
      layer.delete();
    }
  };
  return {
    layerText: (bytes, name) => withLayer(bytes, name, (l) => l.layerToString()),
    compositionPaths: (bytes, name) =>
      withLayer(bytes, name, (l) => [
        ...listOf(l.extractSublayerAssetPaths()),
        ...listOf(l.extractReferencesAssetPaths()),
        ...listOf(l.extractPayloadAssetPaths()),
      ]),
  };
}

/** An embind vector or a JS array, as strings. */
function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  const vec = v as { size?: () => number; get?: (i: number) => unknown } | null | undefined;
  if (vec?.size === undefined || vec.get === undefined) return [];
  return Array.from({ length: vec.size() }, (_, i) => String(vec.get?.(i)));
}
