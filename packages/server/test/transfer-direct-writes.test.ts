/**
 * The transfer plugin's directWrites option, over real HTTP: by default a
 * blob sent whole and a resumable upload are stored past the page cache;
 * with `directWrites: false` (a network file system) every page goes through it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TRANSFER_PATHS, transferPlugin } from '../src/transfer/index.js';
import { Client, startTestFarm } from './support/farm.js';
import { cachedBytes, noDirectWrites } from './support/page-cache.js';

function keyOf(buf: Buffer) {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

/** Upload one blob whole and one in two resumable chunks; the page-cache bytes of each stored object. */
async function storeTwo(directWrites: boolean | undefined): Promise<{ whole: number; resumed: number }> {
  const farm = await startTestFarm({
    plugins: [transferPlugin(directWrites === undefined ? {} : { directWrites })],
  });
  try {
    const client = new Client(farm, await farm.addUser('artist'));
    const { token } = await client.data<{ token: string }>(TRANSFER_PATHS.token);
    const put = async (path: string, body: Buffer): Promise<Record<string, unknown>> => {
      const res = await fetch(farm.url + path, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body,
      });
      const envelope = (await res.json()) as { code: number; data: Record<string, unknown> };
      assert.equal(envelope.code, 200, JSON.stringify(envelope));
      return envelope.data;
    };
    const objectOf = (k: { sha256: string; size: number }): string =>
      join(farm.dataDir, 'blobs', 'objects', k.sha256.slice(0, 2), `${k.sha256}-${k.size}`);

    const whole = randomBytes(3 * 1024 * 1024 + 100);
    const wholeKey = keyOf(whole);
    await put(`/api/openfarm/transfer/blobs/${wholeKey.sha256}/${wholeKey.size}`, whole);

    const big = randomBytes(5 * 1024 * 1024 + 7);
    const bigKey = keyOf(big);
    const session = await client.data<{ uploadId: string }>(TRANSFER_PATHS.uploads, bigKey);
    // The first chunk ends inside a block, so the second starts inside one.
    const cut = 2_500_001;
    await put(`/api/openfarm/transfer/uploads/${session.uploadId}/0`, big.subarray(0, cut));
    await put(`/api/openfarm/transfer/uploads/${session.uploadId}/${cut}`, big.subarray(cut));
    assert.deepEqual(
      await client.data(TRANSFER_PATHS.uploadComplete, { uploadId: session.uploadId }),
      bigKey,
    );

    return { whole: cachedBytes(objectOf(wholeKey)), resumed: cachedBytes(objectOf(bigKey)) };
  } finally {
    await farm.close();
  }
}

test('uploads are stored past the page cache by default, through it with directWrites: false', async (t) => {
  const probe = await mkdtemp(join(tmpdir(), 'openfarm-direct-probe-'));
  const why = noDirectWrites(probe);
  await rm(probe, { recursive: true, force: true });
  if (why !== false) return t.skip(why);

  const direct = await storeTwo(undefined);
  // Only partial blocks are cached: the last of the whole blob, the one the two chunks share and the last.
  assert.ok(direct.whole <= 4096, `whole blob: ${direct.whole} bytes cached`);
  assert.ok(direct.resumed <= 2 * 4096, `resumed upload: ${direct.resumed} bytes cached`);

  const cached = await storeTwo(false);
  assert.ok(cached.whole >= 3 * 1024 * 1024, `whole blob: only ${cached.whole} bytes cached`);
  assert.ok(cached.resumed >= 5 * 1024 * 1024, `resumed upload: only ${cached.resumed} bytes cached`);
});
