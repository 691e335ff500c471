import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobStorageConfigError } from '@openfarm/protocol';
import { describeS3Storage, isS3StorageUrl, parseS3StorageUrl } from '../src/index.js';

test('an s3:// storage URL gives bucket, prefix, endpoint, region and path style', () => {
  assert.deepEqual(
    parseS3StorageUrl(
      's3://farm-blobs/studio/a?endpoint=http://127.0.0.1:7480&region=eu-west-1&forcePathStyle=true',
      {},
    ),
    {
      bucket: 'farm-blobs',
      prefix: 'studio/a',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-west-1',
      forcePathStyle: true,
    },
  );
  // AWS: no endpoint, virtual-hosted style, region from the environment.
  assert.deepEqual(parseS3StorageUrl('s3://farm-blobs', { AWS_REGION: 'us-west-2' }), {
    bucket: 'farm-blobs',
    prefix: '',
    region: 'us-west-2',
    forcePathStyle: false,
  });
  // An endpoint means a self-hosted server: path style unless told otherwise.
  const own = parseS3StorageUrl('s3://b1b/?endpoint=https://s3.example.org', {});
  assert.equal(own.forcePathStyle, true);
  assert.equal(own.region, 'us-east-1');
  assert.equal(own.prefix, '');
  assert.equal(
    parseS3StorageUrl('s3://b1b?endpoint=https://s3.example.org&forcePathStyle=false', {}).forcePathStyle,
    false,
  );
  assert.equal(
    describeS3Storage(parseS3StorageUrl('s3://b1b/p?endpoint=http://h:1', {})),
    's3://b1b/p at http://h:1',
  );
  assert.equal(isS3StorageUrl('s3://x'), true);
  assert.equal(isS3StorageUrl('/srv/openfarm/blobs'), false);
});

test('a storage URL with a mistake is refused with the reason, and never echoes a secret', () => {
  const bad: Array<[string, RegExp]> = [
    ['s3://Bad_Bucket', /not a valid bucket name/],
    ['s3://ab', /not a valid bucket name/],
    ['s3://bucket/a/../b', /segment/],
    ['s3://bucket/a//b', /segment/],
    ['s3://bucket?endpont=http://x', /unknown setting "endpont"/],
    ['s3://bucket?endpoint=ftp://x', /http:\/\/ or https:\/\//],
    ['s3://bucket?endpoint=notaurl', /not a URL/],
    ['s3://bucket?forcePathStyle=yes', /true or false/],
    ['s3://bucket:9000', /no port/],
  ];
  for (const [url, reason] of bad) {
    assert.throws(
      () => parseS3StorageUrl(url, {}),
      (err: unknown) => {
        assert.ok(err instanceof BlobStorageConfigError, url);
        assert.match(err.message, reason, url);
        return true;
      },
    );
  }
  assert.throws(
    () => parseS3StorageUrl('s3://AKIAKEY:supersecret@bucket', {}),
    (err: Error) => err.message.includes('AWS_ACCESS_KEY_ID') && !err.message.includes('supersecret'),
  );
});
