/** The staging writer: pieces gathered into large writes, every byte kept, a failing disk reported. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { writeBodyAt } from '../src/transfer/staging-writer.js';

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
