import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ContentCache, stagedPath, stageInputs } from '@openfarm/worker';

const root = mkdtempSync(join(tmpdir(), 'openfarm-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const blob = (text: string) => ({
  bytes: Buffer.from(text),
  sha256: createHash('sha256').update(text).digest('hex'),
});

describe('content cache', () => {
  test('a miss fills once, later acquires are hits', async () => {
    const cache = await ContentCache.open({ dir: join(root, 'a'), maxBytes: 1 << 20 });
    const b = blob('hello texture');
    let fills = 0;
    const fill = async (tmp: string) => {
      fills++;
      await writeFile(tmp, b.bytes);
    };
    const [p1, p2] = await Promise.all([cache.acquire(b.sha256, fill), cache.acquire(b.sha256, fill)]);
    assert.equal(p1, p2);
    assert.equal(fills, 1, 'concurrent misses share one fill');
    assert.equal(readFileSync(p1).toString(), 'hello texture');
    await cache.acquire(b.sha256, fill);
    assert.equal(fills, 1);
    assert.equal(cache.stats().hits, 1);
  });

  test('bytes that do not match their hash never enter the cache', async () => {
    const dir = join(root, 'b');
    const cache = await ContentCache.open({ dir, maxBytes: 1 << 20 });
    const b = blob('the real bytes');
    await assert.rejects(
      cache.acquire(b.sha256, (tmp) => writeFile(tmp, 'other bytes')),
      /content hash mismatch/,
    );
    assert.equal(existsSync(cache.pathOf(b.sha256)), false);
    const partials = readdirSync(join(dir, '.partial'));
    assert.deepEqual(
      partials.flatMap((p) => readdirSync(join(dir, '.partial', p))),
      [],
      'nothing left of the refused fill',
    );
  });

  test("a node opening a shared cache folder leaves another node's fill in flight alone", async () => {
    const dir = join(root, 'g');
    const a = await ContentCache.open({ dir, maxBytes: 1 << 20 });
    const b = blob('a texture still downloading');
    let release!: () => void;
    const halfway = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const begun = new Promise<void>((r) => {
      started = r;
    });
    // A download writes through one open file, as the node's does.
    const filling = a.acquire(b.sha256, async (tmp) => {
      const file = await open(tmp, 'w');
      await file.write(b.bytes.subarray(0, 5));
      started();
      await halfway;
      await file.write(b.bytes.subarray(5));
      await file.close();
    });
    await begun;
    // Debris of a node that is gone (a pid that cannot be running) and of the older flat layout.
    mkdirSync(join(dir, '.partial', '999999999-1'), { recursive: true });
    writeFileSync(join(dir, '.partial', '999999999-1', 'x.part'), 'debris');
    writeFileSync(join(dir, '.partial', 'loose.part'), 'debris');
    await ContentCache.open({ dir, maxBytes: 1 << 20 }); // another node starts on the folder
    release();
    assert.equal(readFileSync(await filling).toString(), 'a texture still downloading');
    assert.equal(existsSync(join(dir, '.partial', '999999999-1')), false, "a dead node's debris removed");
    assert.equal(existsSync(join(dir, '.partial', 'loose.part')), false);
  });

  test('least recently used entries are evicted past the cap, pinned ones kept', async () => {
    const dir = join(root, 'c');
    const cache = await ContentCache.open({ dir, maxBytes: 250 });
    const blobs = ['a', 'b', 'c', 'd'].map((c) => blob(c.repeat(100)));
    const put = (i: number) => cache.acquire(blobs[i]!.sha256, (tmp) => writeFile(tmp, blobs[i]!.bytes));
    await put(0);
    cache.release(blobs[0]!.sha256);
    await put(1);
    cache.release(blobs[1]!.sha256);
    await put(0); // a is now more recent than b
    cache.release(blobs[0]!.sha256);
    await put(2); // 300 bytes > 250: b (least recent) goes
    cache.release(blobs[2]!.sha256);
    assert.equal(existsSync(cache.pathOf(blobs[1]!.sha256)), false, 'b evicted');
    assert.equal(existsSync(cache.pathOf(blobs[0]!.sha256)), true, 'a kept');
    assert.equal(cache.stats().bytes, 200);
    // Pin c; adding d must evict a (unpinned), not c.
    await put(2);
    await put(3);
    assert.equal(existsSync(cache.pathOf(blobs[0]!.sha256)), false, 'a evicted');
    assert.equal(existsSync(cache.pathOf(blobs[2]!.sha256)), true, 'pinned c kept');
    assert.equal(cache.stats().evictions, 2);
    // The order survives a restart (atime is the use time).
    const reopened = await ContentCache.open({ dir, maxBytes: 250 });
    assert.equal(reopened.stats().entries, 2);
    assert.equal(reopened.stats().bytes, 200);
  });

  test('staging lays inputs out at their server paths, hard-linked from the cache', async () => {
    const cache = await ContentCache.open({ dir: join(root, 'd'), maxBytes: 1 << 20 });
    const scene = blob('blend bytes');
    const tex = blob('texture bytes');
    const stage = join(root, 'stage');
    const fetched: string[] = [];
    const paths = await stageInputs(
      cache,
      [
        { serverPath: '/D/proj/shot.blend', sha256: scene.sha256, size: scene.bytes.length },
        { serverPath: '/C/Projects/demo/textures/a.png', sha256: tex.sha256, size: tex.bytes.length },
        { serverPath: '/D/proj/textures/a_copy.png', sha256: tex.sha256, size: tex.bytes.length },
      ],
      stage,
      async (input, tmp) => {
        fetched.push(input.serverPath);
        writeFileSync(tmp, input.sha256 === scene.sha256 ? scene.bytes : tex.bytes);
      },
    );
    assert.deepEqual(paths, [
      join(stage, 'D/proj/shot.blend'),
      join(stage, 'C/Projects/demo/textures/a.png'),
      join(stage, 'D/proj/textures/a_copy.png'),
    ]);
    assert.equal(fetched.length, 2, 'the shared texture is fetched once');
    assert.equal(readFileSync(paths[1]!).toString(), 'texture bytes');
    assert.equal(statSync(paths[1]!).ino, statSync(cache.pathOf(tex.sha256)).ino);
    assert.throws(() => stagedPath(stage, '/D/../../etc/passwd'), /unsafe server path/);
  });

  test('a renderer that writes into a staged input: the next task still gets the right bytes', async () => {
    const cache = await ContentCache.open({ dir: join(root, 'e'), maxBytes: 1 << 20 });
    const scene = blob('the scene as the artist saved it');
    let fetches = 0;
    const stage = (at: string) =>
      stageInputs(
        cache,
        [{ serverPath: '/D/proj/shot.blend', sha256: scene.sha256, size: scene.bytes.length }],
        join(root, at),
        async (_input, tmp) => {
          fetches++;
          writeFileSync(tmp, scene.bytes);
        },
      );
    const [first] = await stage('lease-1');
    // Read-only, so a renderer running as another user than root cannot open it for writing.
    assert.equal(statSync(cache.pathOf(scene.sha256)).mode & 0o777, 0o444);
    assert.equal(statSync(first!).mode & 0o777, 0o444);
    // A renderer that may (root, or one that chmods first) saves into its input in place.
    chmodSync(first!, 0o644);
    writeFileSync(first!, 'the scene after the renderer saved over it', { flag: 'r+' });
    const [second] = await stage('lease-2');
    assert.equal(readFileSync(second!).toString(), 'the scene as the artist saved it');
    assert.equal(fetches, 2, 'the spoiled copy was thrown away and fetched again');
    assert.equal(cache.stats().corrupted, 1);
    assert.equal(statSync(second!).mode & 0o777, 0o444);
    // An untouched hit costs a stat, not a hash.
    const before = cache.stats().rehashes;
    await stage('lease-3');
    assert.equal(cache.stats().rehashes, before);
    assert.equal(fetches, 2);
  });

  test('after a restart each file is hashed once on first use; damage at rest is caught', async () => {
    const dir = join(root, 'f');
    const first = await ContentCache.open({ dir, maxBytes: 1 << 20 });
    const good = blob('good bytes');
    const spoiled = blob('bytes damaged while the node was down');
    for (const b of [good, spoiled]) {
      await first.acquire(b.sha256, (tmp) => writeFile(tmp, b.bytes));
      first.release(b.sha256);
    }
    const path = first.pathOf(spoiled.sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, 'bytes damaged while the node was d0wn');
    // Two caches on one folder (nodes of one machine): a hit by one does not make the other hash again.
    const a = await ContentCache.open({ dir, maxBytes: 1 << 20 });
    const b = await ContentCache.open({ dir, maxBytes: 1 << 20 });
    const refill = (x: { bytes: Buffer }) => (tmp: string) => writeFile(tmp, x.bytes);
    for (let round = 0; round < 3; round++) {
      for (const c of [a, b]) {
        const p = await c.acquire(good.sha256, refill(good));
        c.release(good.sha256);
        assert.equal(readFileSync(p).toString(), 'good bytes');
      }
    }
    assert.equal(a.stats().rehashes, 1);
    assert.equal(b.stats().rehashes, 1);
    const p = await a.acquire(spoiled.sha256, refill(spoiled));
    assert.equal(readFileSync(p).toString(), 'bytes damaged while the node was down');
    assert.equal(a.stats().corrupted, 1);
  });
});
