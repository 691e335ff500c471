import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KB, TokenBucket, throttle } from '../src/transfer/index.js';

async function* chunks(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(size);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of source) n += c.length;
  return n;
}

it('one bucket caps the total rate of concurrent streams', async () => {
  const rate = 2048 * KB; // 2 MB/s
  const bucket = new TokenBucket(rate);
  const started = performance.now();
  // Four streams of 512 KB, 2 MB in all, plus the initial burst → about 0.9 s.
  const sizes = await Promise.all([0, 1, 2, 3].map(() => drain(throttle(chunks(8, 64 * KB), bucket))));
  const seconds = (performance.now() - started) / 1000;
  const total = sizes.reduce((a, b) => a + b, 0);
  const expected = (total - rate / 10) / rate;
  console.log(`# ${total} bytes in ${seconds.toFixed(3)} s (expected ${expected.toFixed(3)} s)`);
  assert.equal(total, 2048 * KB);
  assert.ok(
    seconds > expected * 0.8 && seconds < expected * 1.2,
    `took ${seconds} s, expected ${expected} s`,
  );
});

it('large chunks are cut into slices without losing bytes', async () => {
  const bucket = new TokenBucket(100 * 1024 * KB);
  const parts: number[] = [];
  for await (const c of throttle(chunks(1, 200 * KB), bucket)) parts.push(c.length);
  assert.deepEqual(parts, [64 * KB, 64 * KB, 64 * KB, 8 * KB]);
});

it('maxSpeed 0 or absent means no limit; a negative one is refused', () => {
  assert.equal(TokenBucket.fromKBps(undefined), undefined);
  assert.equal(TokenBucket.fromKBps(0), undefined);
  assert.equal(TokenBucket.fromKBps(10)?.bytesPerSecond, 10 * KB);
  assert.throws(() => TokenBucket.fromKBps(-5), RangeError);
  assert.throws(() => TokenBucket.fromKBps(Number.NaN), RangeError);
});
