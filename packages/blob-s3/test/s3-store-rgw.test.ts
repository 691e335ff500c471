/**
 * The S3 blob store against a real S3 server: a throwaway Ceph RGW started for this
 * file (scripts/test-rgw.mjs). The shared BlobStore contract, then what only S3 has:
 * multipart uploads verified before they complete, the bucket made at open, uploads
 * abandoned by a crashed writer swept, credentials refused.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it, test } from 'node:test';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import {
  BlobHashMismatchError,
  type BlobKey,
  BlobNotFoundError,
  BlobStagingLostError,
} from '@openfarm/protocol';
import { blobStoreContract } from '../../protocol/test/blob-store.contract.js';
import { rgwForTestFile } from '../../../scripts/test-rgw.mjs';
import { S3BlobStore, type S3BlobStoreOptions } from '../src/index.js';

const rgw = await rgwForTestFile();

function keyOf(buf: Buffer): BlobKey {
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}

async function readAll(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/** Pieces of 64 KiB, as a request body arrives. */
function pieces(buf: Buffer, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

if (rgw.endpoint === undefined) {
  test('S3 blob store on Ceph RGW', { skip: rgw.skip }, () => {});
} else {
  after(() => rgw.stop());
  const options = (bucket: string, more: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions => ({
    bucket,
    prefix: 'farm',
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
    ...more,
  });
  const newBucket = () => `of-${randomUUID().slice(0, 8)}`;

  blobStoreContract('S3 on Ceph RGW', async () => {
    const store = await S3BlobStore.open(options(newBucket()));
    return { store, cleanup: () => store.close() };
  });

  // Parts of 5 MiB (S3's smallest), so a 12 MiB blob takes three.
  blobStoreContract('S3 on Ceph RGW, 5 MiB parts', async () => {
    const store = await S3BlobStore.open(options(newBucket(), { partBytes: 5 * 1024 * 1024 }));
    return { store, cleanup: () => store.close() };
  });

  describe('S3 blob store on Ceph RGW: multipart and the bucket', () => {
    const MiB = 1024 * 1024;

    async function openUploads(store: S3BlobStore): Promise<number> {
      const page = await store.client.send(new ListMultipartUploadsCommand({ Bucket: store.bucket }));
      return page.Uploads?.length ?? 0;
    }

    it('creates a missing bucket at open and says so; a second open finds it', async () => {
      const bucket = newBucket();
      const first = await S3BlobStore.open(options(bucket));
      assert.equal(first.openReport.bucketCreated, true);
      const second = await S3BlobStore.open(options(bucket));
      assert.equal(second.openReport.bucketCreated, false);
      await Promise.all([first.close(), second.close()]);
      await assert.rejects(S3BlobStore.open(options(newBucket(), { createBucket: false })), /does not exist/);
    });

    it('refuses wrong credentials with a reason that names them', async () => {
      await assert.rejects(
        S3BlobStore.open(
          options(newBucket(), { credentials: { accessKeyId: 'NOPE', secretAccessKey: 'nope' } }),
        ),
        /access denied.*AWS_ACCESS_KEY_ID/,
      );
    });

    it('stores a large blob in parts, streamed and as a file, and serves ranges across parts', async () => {
      const store = await S3BlobStore.open(options(newBucket(), { partBytes: 5 * MiB, partConcurrency: 2 }));
      try {
        const data = randomBytes(12 * MiB + 123);
        const key = keyOf(data);
        await store.put(key, Readable.from(pieces(data)));
        assert.deepEqual(await readAll(await store.get(key)), data);
        const across = { offset: 5 * MiB - 10, length: 5 * MiB + 20 };
        assert.deepEqual(
          await readAll(await store.get(key, across)),
          data.subarray(across.offset, across.offset + across.length),
        );
        assert.equal(await openUploads(store), 0);

        const scratch = await mkdtemp(join(tmpdir(), 'openfarm-s3-file-'));
        try {
          const other = randomBytes(11 * MiB);
          const file = join(scratch, 'staged.bin');
          await writeFile(file, other);
          await store.putFile(keyOf(other), file, keyOf(other));
          assert.deepEqual(await readAll(await store.get(keyOf(other))), other);
          // The staging file is consumed.
          await assert.rejects(stat(file), { code: 'ENOENT' });
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      } finally {
        await store.close();
      }
    });

    it('aborts a multipart upload whose bytes do not match, or whose source fails: nothing visible, no parts kept', async () => {
      const store = await S3BlobStore.open(options(newBucket(), { partBytes: 5 * MiB }));
      try {
        const data = randomBytes(11 * MiB);
        const key = keyOf(data);
        const tampered = Buffer.from(data);
        tampered[tampered.length - 1] ^= 0xff; // the last byte, after two parts were sent
        await assert.rejects(store.put(key, Readable.from(pieces(tampered))), BlobHashMismatchError);
        assert.equal(await store.has(key), false);
        assert.equal(await openUploads(store), 0);

        // Longer than the key says: refused, and the surplus is never sent.
        await assert.rejects(
          store.put(key, Readable.from([...pieces(data), Buffer.from('more')])),
          (err: unknown) => err instanceof BlobHashMismatchError && err.actual.size === data.length + 4,
        );
        assert.equal(await store.has(key), false);

        async function* dropsAfterTwoParts() {
          yield* pieces(data.subarray(0, 10 * MiB + 1));
          throw new Error('connection reset');
        }
        await assert.rejects(store.put(key, dropsAfterTwoParts()), /connection reset/);
        assert.equal(await store.has(key), false);
        await assert.rejects(store.get(key), BlobNotFoundError);
        assert.equal(await openUploads(store), 0);
      } finally {
        await store.close();
      }
    });

    it('downloads in flight do not hold up the store: 80 bodies left unread, then HEAD and PUT still answer', async () => {
      // Each GET holds its connection until its body is read: slow clients of the download route
      // must not use up the connections every other request needs (the SDK's default is 50).
      const store = await S3BlobStore.open(options(newBucket()));
      try {
        const data = randomBytes(256 * 1024);
        const key = keyOf(data);
        await store.put(key, data);
        /** `work`, or 'stuck' when it has not settled within 30 s. */
        const within = async <T>(work: Promise<T>): Promise<T | 'stuck'> => {
          let timer: NodeJS.Timeout | undefined;
          const stuck = new Promise<'stuck'>((r) => {
            timer = setTimeout(() => r('stuck'), 30_000);
          });
          try {
            return await Promise.race([work, stuck]);
          } finally {
            clearTimeout(timer);
          }
        };
        const bodies = await within(Promise.all(Array.from({ length: 80 }, () => store.get(key))));
        assert.notEqual(bodies, 'stuck', 'the 80 GETs did not all get an answer');
        assert.equal(await within(store.has(key)), true);
        const more = randomBytes(1000);
        assert.equal(await within(store.put(keyOf(more), more).then(() => 'stored')), 'stored');
        for (const body of bodies as Readable[]) body.destroy();
      } finally {
        await store.close();
      }
    });

    it('stages a blob as parts: invisible until completed; a part replaced after it was tagged fails the completion', async () => {
      const store = await S3BlobStore.open(options(newBucket(), { partBytes: 5 * MiB }));
      try {
        assert.equal(store.stagedPartBytes(12 * MiB), 5 * MiB);
        const data = randomBytes(5 * MiB + 1000);
        const key = keyOf(data);
        const handle = await store.beginStaged(key);
        const first = await store.putStagedPart(key, handle, 1, data.subarray(0, 5 * MiB));
        const last = await store.putStagedPart(key, handle, 2, data.subarray(5 * MiB));
        assert.equal(await store.has(key), false, 'parts are not an object');
        await store.completeStaged(key, handle, [
          { partNumber: 1, tag: first },
          { partNumber: 2, tag: last },
        ]);
        assert.ok((await readAll(await store.get(key))).equals(data));
        await store.abortStaged(key, handle); // completed: no error

        // Another writer replaces part 1 after the farm hashed and tagged its own: S3 refuses the tag.
        const other = randomBytes(5 * MiB + 1000);
        const otherKey = keyOf(other);
        const h2 = await store.beginStaged(otherKey);
        const tagged = await store.putStagedPart(otherKey, h2, 1, other.subarray(0, 5 * MiB));
        const tail = await store.putStagedPart(otherKey, h2, 2, other.subarray(5 * MiB));
        const replaced = Buffer.from(other.subarray(0, 5 * MiB));
        replaced[0] = (replaced[0] as number) ^ 0xff;
        await store.putStagedPart(otherKey, h2, 1, replaced);
        await assert.rejects(
          store.completeStaged(otherKey, h2, [
            { partNumber: 1, tag: tagged },
            { partNumber: 2, tag: tail },
          ]),
          BlobStagingLostError,
        );
        assert.equal(await store.has(otherKey), false);
        await store.abortStaged(otherKey, h2);
        await assert.rejects(store.putStagedPart(otherKey, h2, 3, Buffer.alloc(10)), BlobStagingLostError);
        assert.equal(await openUploads(store), 0);
      } finally {
        await store.close();
      }
    });

    it('aborts, at open, multipart uploads a crashed writer left under its prefix', async () => {
      const bucket = newBucket();
      const store = await S3BlobStore.open(options(bucket));
      try {
        const objectKey = store.objectKey({ sha256: 'a'.repeat(64), size: 1 });
        await store.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: objectKey }));
        // Another farm's prefix in the same bucket is not ours to touch.
        await store.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `other/blobs/x` }));
        assert.equal(await openUploads(store), 2);
        // Fresh uploads are someone's work in progress: the store's open leaves them.
        const reopened = await S3BlobStore.open(options(bucket));
        assert.equal(reopened.openReport.abandonedUploadsAborted, 0);
        await reopened.close();
        assert.equal(await store.abortAbandonedUploads(Date.now() + 60_000), 1);
        assert.equal(await openUploads(store), 1);
      } finally {
        await store.close();
      }
    });
  });
}
