/**
 * The body writer: pieces gathered into large writes, whole blocks past the page cache, every
 * byte kept, a failing disk reported.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALIGNED_BUFFER_BYTES, AlignedBufferPool } from '../src/blob/aligned-buffers.js';
import { writeBodyAt } from '../src/blob/body-writer.js';
import { cachedBytes, noDirectWrites } from './support/page-cache.js';

async function* pieces(data: Buffer, size: number, pauseMs = 0): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    if (pauseMs > 0) await sleep(pauseMs);
    yield data.subarray(at, at + size);
  }
}

test('pieces of any size land at the offset, byte for byte, each seen once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const file = join(dir, 'upload');
    const head = randomBytes(1000);
    await writeFile(file, head);
    const data = randomBytes(3 * 1024 * 1024 + 12_345);
    let seen = 0;
    await writeBodyAt(file, head.length, pieces(data, 65_521), (p) => {
      seen += p.length;
    });
    assert.equal(seen, data.length);
    assert.ok((await readFile(file)).equals(Buffer.concat([head, data])));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a body that fails midway keeps every byte that arrived before the failure', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const file = join(dir, 'upload');
    await writeFile(file, '');
    const data = randomBytes(1_500_000);
    async function* cut(): AsyncGenerator<Buffer> {
      yield* pieces(data, 100_000);
      throw new Error('connection cut');
    }
    await assert.rejects(
      writeBodyAt(file, 0, cut(), () => {}),
      /connection cut/,
    );
    assert.ok((await readFile(file)).equals(data));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a write the disk refuses is reported by the call, not left as an unhandled rejection', {
  skip: existsSync('/dev/full') ? false : 'needs /dev/full',
}, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => {
    unhandled.push(e);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    // The first 1 MB write fails while the writer waits for the next piece.
    const data = randomBytes(3 * 1024 * 1024);
    await assert.rejects(
      writeBodyAt('/dev/full', 0, pieces(data, 256 * 1024, 20), () => {}),
      {
        code: 'ENOSPC',
      },
    );
    await sleep(50);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('whole blocks skip the page cache; the partial first and last blocks go through it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const why = noDirectWrites(dir);
    if (why !== false) return t.skip(why);
    const data = randomBytes(8 * 1024 * 1024 + 5000);
    const direct = join(dir, 'direct');
    // In three bodies, as a resumed upload arrives: each starts and ends inside a block.
    await writeFile(direct, data.subarray(0, 1000));
    await writeBodyAt(direct, 1000, pieces(data.subarray(1000, 3_000_000), 65_536), () => {});
    await writeBodyAt(direct, 3_000_000, pieces(data.subarray(3_000_000), 50_000), () => {});
    assert.ok((await readFile(direct)).equals(data));
    // readFile filled the cache: check a second copy that nothing has read.
    const again = join(dir, 'again');
    await writeFile(again, '');
    await writeBodyAt(again, 0, pieces(data, 65_536), () => {});
    // At most the last partial block is cached (fincore counts whole pages).
    assert.ok(cachedBytes(again) <= 4096, `${cachedBytes(again)} bytes cached`);
    const cached = join(dir, 'cached');
    await writeFile(cached, '');
    await writeBodyAt(cached, 0, pieces(data, 65_536), () => {}, { direct: false });
    assert.ok(cachedBytes(cached) >= data.length - 4096, 'without direct writes every page is cached');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with no aligned buffer free, or direct writes refused, bytes go through the page cache intact', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const data = randomBytes(3 * 1024 * 1024 + 777);
    // A pool with no buffers: every writer falls back.
    const empty = new AlignedBufferPool(0);
    const a = join(dir, 'a');
    await writeFile(a, '');
    await writeBodyAt(a, 0, pieces(data, 65_536), () => {}, { pool: empty });
    assert.ok((await readFile(a)).equals(data));
    // Buffers 16 bytes past a page boundary, as malloc gives them: the kernel refuses the direct
    // write (EINVAL), and the writer writes the same bytes through the page cache.
    class Misaligned extends AlignedBufferPool {
      override take(): Buffer {
        return Buffer.allocUnsafeSlow(ALIGNED_BUFFER_BYTES + 16).subarray(16);
      }
      override give(): void {}
    }
    const b = join(dir, 'b');
    await writeFile(b, '');
    await writeBodyAt(b, 0, pieces(data, 65_536), () => {}, { pool: new Misaligned() });
    assert.ok((await readFile(b)).equals(data));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writers at once share the pool: those finding no buffer fall back, every buffer comes back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const pool = new AlignedBufferPool(4);
    const bodies = Array.from({ length: 6 }, () => randomBytes(2 * 1024 * 1024 + 99));
    await Promise.all(
      bodies.map(async (data, i) => {
        const f = join(dir, `f${i}`);
        await writeFile(f, '');
        await writeBodyAt(f, 0, pieces(data, 65_536, 1), () => {}, { pool });
      }),
    );
    for (const [i, data] of bodies.entries()) assert.ok((await readFile(join(dir, `f${i}`))).equals(data));
    assert.equal(pool.available, 4);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('where no aligned memory can be reserved (ulimit -v), writers write through the page cache', async () => {
  // What V8 throws under a limit on address space: `ulimit -v 3000000` makes the first
  // WebAssembly.Memory fail with "could not allocate memory".
  const wasm = globalThis as unknown as { WebAssembly: { Memory: unknown } };
  const real = wasm.WebAssembly.Memory;
  wasm.WebAssembly.Memory = class {
    constructor() {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    }
  };
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-staging-'));
  try {
    const pool = new AlignedBufferPool();
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const file = join(dir, 'f');
    await writeFile(file, '');
    await writeBodyAt(file, 0, pieces(data, 65_536), () => {}, { pool });
    assert.ok((await readFile(file)).equals(data));
    assert.equal(pool.take(), undefined);
  } finally {
    wasm.WebAssembly.Memory = real;
    await rm(dir, { recursive: true, force: true });
  }
});
