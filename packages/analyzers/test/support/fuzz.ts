/**
 * What every fuzz test of the readers shares: a seeded PRNG (a failure
 * replays from its seed), the byte and text mutations, and the check that an
 * input gives a result or an AnalyzeError within a CPU budget. Each helper
 * draws its random numbers in a fixed order, so a seed keeps producing the
 * same inputs.
 */
import assert from 'node:assert/strict';
import { AnalyzeError } from '../../src/index.js';

/** A number in [0, 1), like Math.random, but from a seed. */
export type Rng = () => number;

/** mulberry32: small, seedable, good enough to pick mutations. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

export function pickOne<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)]!;
}

/** Flip one random bit in each of 1…maxFlips random bytes, in place. */
export function flipBits(rng: Rng, bytes: Uint8Array, maxFlips: number): void {
  const flips = 1 + randomInt(rng, maxFlips);
  for (let i = 0; i < flips && bytes.length > 0; i++)
    bytes[randomInt(rng, bytes.length)]! ^= 1 << randomInt(rng, 8);
}

/** Set 1…maxBytes random bytes to random values, in place. */
export function overwriteBytes(rng: Rng, bytes: Uint8Array, maxBytes: number): void {
  const count = 1 + randomInt(rng, maxBytes);
  for (let i = 0; i < count; i++) bytes[randomInt(rng, bytes.length)] = randomInt(rng, 256);
}

/** The first 0…length-1 bytes (a view, not a copy). */
export function truncateRandomly(rng: Rng, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, randomInt(rng, bytes.length));
}

/** A copy of `bytes` with `deleteCount` bytes at `at` replaced by `insert`. */
export function spliceBytes(
  bytes: Uint8Array,
  at: number,
  deleteCount: number,
  insert: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const head = bytes.subarray(0, at);
  const tail = bytes.subarray(at + deleteCount);
  const out = new Uint8Array(head.length + insert.length + tail.length);
  out.set(head);
  out.set(insert, head.length);
  out.set(tail, head.length + insert.length);
  return out;
}

/** A copy of `bytes` with 1…maxLength random bytes inserted at `at`. */
export function insertRandomBytes(rng: Rng, bytes: Uint8Array, at: number, maxLength: number): Uint8Array {
  const junk = Uint8Array.from({ length: 1 + randomInt(rng, maxLength) }, () => randomInt(rng, 256));
  return spliceBytes(bytes, at, 0, junk);
}

export interface TextMutation {
  /** Syntax fragments of the format (braces, quotes, keywords) inserted once or repeated. */
  readonly pieces: readonly string[];
  /** Edits per input: 1…maxEdits. */
  readonly maxEdits: number;
  /** Characters a deletion removes: 1…maxDeleted. */
  readonly maxDeleted: number;
  /** Copies of a piece a repeated insertion writes: 1…maxRepeats. */
  readonly maxRepeats: number;
  /** A truncation keeps at least this many characters. */
  readonly keepAtLeast?: number;
  /**
   * Draw the piece on every edit, not only on insertions: the order the
   * Clarisse inputs were first generated with, kept so its seed gives the
   * same inputs.
   */
  readonly pieceOnEveryEdit?: boolean;
}

/** 1…maxEdits edits at random places: insert a piece, delete, truncate, or insert a piece many times. */
export function mutateText(rng: Rng, text: string, m: TextMutation): string {
  let s = text;
  const edits = 1 + randomInt(rng, m.maxEdits);
  for (let e = 0; e < edits; e++) {
    const at = randomInt(rng, s.length + 1);
    const drawn = m.pieceOnEveryEdit ? pickOne(rng, m.pieces) : undefined;
    const piece = () => drawn ?? pickOne(rng, m.pieces);
    switch (randomInt(rng, 4)) {
      case 0:
        s = s.slice(0, at) + piece() + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + randomInt(rng, m.maxDeleted));
        break;
      case 2:
        s = s.slice(0, Math.max(m.keepAtLeast ?? 0, at));
        break;
      default:
        s = s.slice(0, at) + piece().repeat(1 + randomInt(rng, m.maxRepeats)) + s.slice(at);
    }
  }
  return s;
}

/**
 * Run one read of a mutated input: it must return (`read` may assert on the
 * result) or throw an AnalyzeError with a message, and use less than
 * `maxCpuMs` of CPU. CPU time, not wall time: a loaded CI machine must not
 * turn a slow schedule into a failure, while runaway work still shows.
 */
export function resultOrAnalyzeError(label: string, maxCpuMs: number, read: () => void): 'result' | 'error' {
  const started = process.cpuUsage();
  let outcome: 'result' | 'error' = 'result';
  try {
    read();
  } catch (error) {
    if (!(error instanceof AnalyzeError)) {
      assert.fail(`${label}: ${error instanceof Error ? error.stack : String(error)}`);
    }
    assert.ok(error.message.length > 10, `${label}: an AnalyzeError without a message`);
    outcome = 'error';
  }
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < maxCpuMs, `${label} used ${ms.toFixed(0)} ms of CPU`);
  return outcome;
}
