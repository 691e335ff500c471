/**
 * Knowing a file's SHA-256 and size must not let another user read it, nor
 * learn that the farm has it. Bob tries every route that takes a hash — the
 * "missing?" question, a resumable upload, a whole-blob PUT, a batch PUT, a
 * manifest entry, a render node's output and thumbnail uploads — with the key
 * of a file of Alice's and with the key of a file nobody stored: he is refused
 * the same way for both, and can read nothing. Sending the real bytes is proof:
 * then he holds the file (the farm keeps one copy). A sub-account that shares
 * its main account's assets uses the main account's files without sending them.
 *
 * Everything runs on two blob stores: the local one, and one that (as
 * BlobStore.put allows) only reads the stream of an object it already has, so
 * the farm's safety cannot rest on what a backend does with a duplicate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TRANSFER_PATHS } from '@openfarm/protocol';
import type { BlobKey } from '@openfarm/server';
import {
  type Answer,
  batchOf,
  fresh,
  keyOf,
  startTenantFarm,
  type TenantClient,
  type TenantFarm,
  type TenantNode,
} from './tenant-farm.js';

/** An answer with what legitimately differs between two keys (hashes, upload ids) blanked out. */
function shape(a: Answer): string {
  return JSON.stringify(a)
    .replace(/[0-9a-f]{64}/g, '<sha256>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/"reqId":"[^"]*"/g, '');
}

function assertSameAnswer(onSecret: Answer, onNothing: Answer, what: string): void {
  assert.equal(shape(onSecret), shape(onNothing), `${what}: another user's file answers like no file`);
}

for (const store of ['local', 'skip-existing'] as const) {
  describe(`reading another user's file by its hash (${store} blob store)`, () => {
    let f: TenantFarm;
    let alice: TenantClient;
    /** Alice's input file and her rendered frame; bob knows their keys. */
    const secret = fresh(5000);
    const frame = fresh(7000);
    let secretKey: BlobKey;
    let frameKey: BlobKey;
    let aliceNode: TenantNode;
    let n = 0;

    /** A key of the same size that no one stored. */
    const nothing = (size: number): BlobKey => keyOf(fresh(size));

    before(async () => {
      f = await startTenantFarm({ store });
      alice = await f.user('alice');
      await alice.upload('input', '/D/show/plates/secret.exr', secret);
      secretKey = keyOf(secret);
      frameKey = keyOf(frame);
      aliceNode = await f.node('alice-node');
      const { lease } = await f.leaseFrameOf(alice, aliceNode);
      const stored = await aliceNode.upload('output', lease, frameKey, frame);
      assert.equal(stored.code, 200, JSON.stringify(stored));
      assert.equal((await aliceNode.complete(lease)).code, 200);
    });
    after(() => f.close());

    const bob = async () => f.user(`bob-${++n}`);

    /** Bob names the key in his manifest and reads it back: refused exactly as for a key nobody stored. */
    async function assertCannotUse(b: TenantClient, key: BlobKey): Promise<void> {
      const entry = (k: BlobKey, path: string) => ({ storage: 'input', entries: [{ path, ...k, mtime: 1 }] });
      const onSecret = await b.post(TRANSFER_PATHS.manifest, entry(key, '/stolen.bin'));
      const onNothing = await b.post(TRANSFER_PATHS.manifest, entry(nothing(key.size), '/stolen.bin'));
      assert.equal(onSecret.code, 404, JSON.stringify(onSecret));
      assertSameAnswer(onSecret, onNothing, 'manifest');
      assert.equal(await b.read('input', '/stolen.bin'), 404);
      const missing = await b.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [key] });
      assert.deepEqual(missing.missing, [0], 'still not his');
    }

    test('"missing?" says missing, as for a file nobody stored', async () => {
      const b = await bob();
      const m = await b.data<{ missing: number[] }>(TRANSFER_PATHS.missing, {
        blobs: [secretKey, frameKey, nothing(5000)],
      });
      assert.deepEqual(m.missing, [0, 1, 2]);
      await assertCannotUse(b, secretKey);
    });

    test('a resumable upload starts from 0 and refuses bytes that are not the file', async () => {
      const b = await bob();
      const other = nothing(secretKey.size);
      const onSecret = await b.post(TRANSFER_PATHS.uploads, secretKey);
      const onNothing = await b.post(TRANSFER_PATHS.uploads, other);
      assertSameAnswer(onSecret, onNothing, 'begin');
      const state = onSecret.data as { uploadId?: string; offset: number; complete: boolean };
      assert.equal(state.complete, false, 'not complete: bob does not hold it');
      assert.equal(state.offset, 0);
      const sendGarbage = async (uploadId: string) => {
        const put = await b.put(`/api/openfarm/transfer/uploads/${uploadId}/0`, fresh(secretKey.size));
        assert.equal(put.code, 200, JSON.stringify(put));
        return b.post(TRANSFER_PATHS.uploadComplete, { uploadId });
      };
      const doneSecret = await sendGarbage(state.uploadId as string);
      const doneNothing = await sendGarbage((onNothing.data as { uploadId: string }).uploadId);
      assert.equal(doneSecret.code, 7005, JSON.stringify(doneSecret));
      assertSameAnswer(doneSecret, doneNothing, 'complete');
      await assertCannotUse(b, secretKey);
    });

    test('a whole-blob PUT verifies the bytes even when the farm has the blob', async () => {
      const b = await bob();
      const other = nothing(secretKey.size);
      const onSecret = await b.put(
        `/api/openfarm/transfer/blobs/${secretKey.sha256}/${secretKey.size}`,
        fresh(5000),
      );
      const onNothing = await b.put(
        `/api/openfarm/transfer/blobs/${other.sha256}/${other.size}`,
        fresh(5000),
      );
      assert.equal(onSecret.code, 7005, JSON.stringify(onSecret));
      assertSameAnswer(onSecret, onNothing, 'whole PUT');
      // Short and long bodies too.
      const short = await b.put(
        `/api/openfarm/transfer/blobs/${secretKey.sha256}/${secretKey.size}`,
        fresh(10),
      );
      const shortNothing = await b.put(
        `/api/openfarm/transfer/blobs/${other.sha256}/${other.size}`,
        fresh(10),
      );
      assertSameAnswer(short, shortNothing, 'short PUT');
      const long = await b.put(
        `/api/openfarm/transfer/blobs/${secretKey.sha256}/${secretKey.size}`,
        fresh(6000),
      );
      const longNothing = await b.put(
        `/api/openfarm/transfer/blobs/${other.sha256}/${other.size}`,
        fresh(6000),
      );
      assert.notEqual(long.code, 200);
      assertSameAnswer(long, longNothing, 'long PUT');
      await assertCannotUse(b, secretKey);
    });

    test('a batch PUT verifies each blob even when the farm has it', async () => {
      const b = await bob();
      const other = nothing(secretKey.size);
      const mine = fresh(300);
      const onSecret = await b.put(
        TRANSFER_PATHS.blobBatch,
        batchOf([
          { key: keyOf(mine), bytes: mine },
          { key: secretKey, bytes: fresh(secretKey.size) },
        ]),
      );
      const onNothing = await b.put(
        TRANSFER_PATHS.blobBatch,
        batchOf([
          { key: keyOf(mine), bytes: mine },
          { key: other, bytes: fresh(other.size) },
        ]),
      );
      assert.equal(onSecret.code, 7005, JSON.stringify(onSecret));
      assertSameAnswer(onSecret, onNothing, 'batch PUT');
      await assertCannotUse(b, secretKey);
    });

    test("a render node cannot give a user another user's frame by naming its hash", async () => {
      const b = await bob();
      const node = await f.node(`bob-node-${n}`);
      const { taskId, lease } = await f.leaseFrameOf(b, node);
      const other = nothing(frameKey.size);
      const onSecret = await node.upload('output', lease, frameKey, fresh(frameKey.size), 'a.png');
      const onNothing = await node.upload('output', lease, other, fresh(frameKey.size), 'a.png');
      assert.equal(onSecret.code, 7005, JSON.stringify(onSecret));
      assertSameAnswer(onSecret, onNothing, 'node output');
      const thumbSecret = await node.upload('thumbnail', lease, frameKey, fresh(frameKey.size));
      const thumbNothing = await node.upload('thumbnail', lease, other, fresh(frameKey.size));
      assert.equal(thumbSecret.code, 7005, JSON.stringify(thumbSecret));
      assertSameAnswer(thumbSecret, thumbNothing, 'node thumbnail');
      const outputs = await b.data<{ entries: unknown[] }>(TRANSFER_PATHS.list, {
        storage: 'output',
        prefix: '/',
      });
      assert.deepEqual(outputs.entries, []);
      assert.equal(await b.read('config', `/${taskId}/thumbnails/frame_${lease.frameId}.jpg`), 404);
      const entry = { storage: 'output', entries: [{ path: '/x.png', ...frameKey, mtime: 1 }] };
      assert.equal((await b.post(TRANSFER_PATHS.manifest, entry)).code, 404);
    });

    test('sending the real bytes is proof: then the file is his, stored once', async () => {
      // Whole PUT.
      const whole = await bob();
      const put = await whole.put(
        `/api/openfarm/transfer/blobs/${secretKey.sha256}/${secretKey.size}`,
        secret,
      );
      assert.equal(put.code, 200, JSON.stringify(put));
      await whole.data(TRANSFER_PATHS.manifest, {
        storage: 'input',
        entries: [{ path: '/mine.exr', ...secretKey, mtime: 1 }],
      });
      assert.deepEqual(await whole.read('input', '/mine.exr'), secret);
      // From now on the unchanged re-upload costs one request.
      const again = await whole.post(TRANSFER_PATHS.uploads, secretKey);
      assert.deepEqual(again.data, { offset: secretKey.size, complete: true });

      // Batch PUT.
      const batch = await bob();
      const r = await batch.put(TRANSFER_PATHS.blobBatch, batchOf([{ key: secretKey, bytes: secret }]));
      assert.equal(r.code, 200, JSON.stringify(r));
      assert.deepEqual(
        (await batch.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [secretKey] })).missing,
        [],
      );

      // Resumable upload.
      const resumable = await bob();
      const s = (await resumable.post(TRANSFER_PATHS.uploads, secretKey)).data as { uploadId: string };
      assert.equal((await resumable.put(`/api/openfarm/transfer/uploads/${s.uploadId}/0`, secret)).code, 200);
      assert.deepEqual(
        await resumable.data(TRANSFER_PATHS.uploadComplete, { uploadId: s.uploadId }),
        secretKey,
      );
      await resumable.data(TRANSFER_PATHS.manifest, {
        storage: 'config',
        entries: [{ path: '/1/cfg/x.bin', ...secretKey, mtime: 1 }],
      });
      assert.deepEqual(await resumable.read('config', '/1/cfg/x.bin'), secret);

      // A render node that really rendered the same image.
      const b = await bob();
      const node = await f.node(`bob-node-real-${n}`);
      const { lease } = await f.leaseFrameOf(b, node);
      const out = await node.upload('output', lease, frameKey, frame, 'same.png');
      assert.equal(out.code, 200, JSON.stringify(out));
      const path = (out.data as { path: string }).path;
      assert.deepEqual(await b.read('output', path), frame);
    });

    test("a sub-account sharing its main account's assets uses its files without sending them; others must send", async () => {
      const main = await f.user(`studio-${store}`);
      const shared = await f.user(`junior-${store}`, { subOf: main.userId, shareMainCapital: true });
      const own = await f.user(`intern-${store}`, { subOf: main.userId });
      const asset = fresh(4000);
      const key = keyOf(asset);
      await main.upload('input', '/D/lib/tree.abc', asset);
      assert.deepEqual(
        (await shared.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [key] })).missing,
        [],
      );
      assert.deepEqual((await shared.post(TRANSFER_PATHS.uploads, key)).data, {
        offset: key.size,
        complete: true,
      });
      await shared.data(TRANSFER_PATHS.manifest, {
        storage: 'config',
        entries: [{ path: '/7/cfg/tree.abc', ...key, mtime: 1 }],
      });
      assert.deepEqual(await shared.read('config', '/7/cfg/tree.abc'), asset);
      // A sub-account of its own assets, and the main account towards its sub-accounts, prove like anyone.
      assert.deepEqual(
        (await own.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [key] })).missing,
        [0],
      );
      await assertCannotUse(own, key);
      const subAsset = fresh(4100);
      await own.upload('input', '/D/own.abc', subAsset);
      assert.deepEqual(
        (await main.data<{ missing: number[] }>(TRANSFER_PATHS.missing, { blobs: [keyOf(subAsset)] }))
          .missing,
        [0],
      );
    });

    test("a render node reads the inputs of its lease's shared input storage, whoever of its accounts sent them, and no one else's", async () => {
      const main = await f.user(`house-${store}`);
      const shared = await f.user(`artist-${store}`, { subOf: main.userId, shareMainCapital: true });
      const sibling = await f.user(`artist2-${store}`, { subOf: main.userId, shareMainCapital: true });
      const apart = await f.user(`outsider-${store}`, { subOf: main.userId });
      const asset = fresh(4200);
      await shared.upload('input', '/D/shot/scene.blend', asset);
      const canRead = async (owner: TenantClient, key: BlobKey) => {
        const node = await f.node(`reader-${store}-${++n}`);
        await f.leaseFrameOf(owner, node);
        const res = await fetch(`${f.farm.url}/api/openfarm/workers/blobs/${key.sha256}/${key.size}`, {
          headers: { authorization: `Bearer ${node.token}` },
        });
        const body = Buffer.from(await res.arrayBuffer());
        return res.status === 200 ? body : res.status;
      };
      // The tasks of every account reading that input storage: the uploader's, the main account's, a sibling's.
      for (const owner of [shared, main, sibling])
        assert.deepEqual(await canRead(owner, keyOf(asset)), asset);
      // A sub-account with its own input storage, and alice's file: not this lease's to read, like a blob nobody stored.
      assert.equal(await canRead(apart, keyOf(asset)), 403);
      assert.equal(await canRead(shared, secretKey), 403);
      assert.equal(await canRead(shared, nothing(secretKey.size)), 403);
    });
  });
}
