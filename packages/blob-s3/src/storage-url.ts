/**
 * `s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true`: where the farm's
 * blobs live in an S3-compatible store. Credentials never appear here: they come
 * from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the rest of the AWS chain
 * (profile, web identity, instance role), so a URL can be logged and shown.
 */
import { BlobStorageConfigError } from '@openfarm/protocol';

export interface S3StorageConfig {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  readonly prefix: string;
  /** http(s) URL of a non-AWS server (RGW, MinIO, Garage); absent for AWS S3. */
  readonly endpoint?: string;
  readonly region: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`. */
  readonly forcePathStyle: boolean;
}

const PARAMS = new Set(['endpoint', 'region', 'forcePathStyle']);
/** S3's bucket naming rules (3–63 lowercase letters, digits, dots, hyphens; letter or digit at both ends). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for a --storage value naming an S3 bucket rather than a folder. */
export function isS3StorageUrl(text: string): boolean {
  return text.startsWith('s3://');
}

function fail(text: string, reason: string): never {
  throw new BlobStorageConfigError(`--storage ${JSON.stringify(redactable(text))}: ${reason}`);
}

/** A storage URL must not carry credentials; if someone puts them in anyway, never echo them. */
function redactable(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

export function parseS3StorageUrl(text: string, env: NodeJS.ProcessEnv = process.env): S3StorageConfig {
  if (!isS3StorageUrl(text)) fail(text, 'an S3 location starts with s3://');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(text, 'not a URL (s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true)');
  }
  if (url.username !== '' || url.password !== '') {
    fail(text, 'credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  const bucket = url.hostname;
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    fail(text, `${JSON.stringify(bucket)} is not a valid bucket name (3–63 of a-z, 0-9, '.', '-')`);
  }
  if (url.port !== '') fail(text, 'the bucket takes no port: give the server as ?endpoint=URL');
  // From the text itself: URL parsing would quietly resolve 'a/../b' to 'b'.
  const path = text.slice('s3://'.length).split(/[?#]/)[0] ?? '';
  const slash = path.indexOf('/');
  const prefix = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1)).replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..' || (s === '' && prefix !== ''))) {
    fail(text, `the prefix ${JSON.stringify(prefix)} has an empty, '.' or '..' segment`);
  }
  for (const name of url.searchParams.keys()) {
    if (!PARAMS.has(name))
      fail(text, `unknown setting ${JSON.stringify(name)} (known: ${[...PARAMS].join(', ')})`);
  }
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let e: URL;
    try {
      e = new URL(endpoint);
    } catch {
      fail(text, `endpoint ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (e.protocol !== 'http:' && e.protocol !== 'https:')
      fail(text, 'the endpoint must be http:// or https://');
    if (e.username !== '' || e.password !== '') fail(text, 'credentials do not go in the endpoint URL');
  }
  const style = url.searchParams.get('forcePathStyle');
  if (style !== null && style !== 'true' && style !== 'false') {
    fail(text, 'forcePathStyle is true or false');
  }
  const region = url.searchParams.get('region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  return {
    bucket,
    prefix,
    ...(endpoint !== undefined ? { endpoint } : {}),
    region,
    // Self-hosted servers (RGW, MinIO, Garage) rarely have a wildcard DNS name per bucket:
    // with an endpoint, path style unless told otherwise.
    forcePathStyle: style === null ? endpoint !== undefined : style === 'true',
  };
}

/** The URL again, canonical and without anything secret: for logs and `--check`. */
export function describeS3Storage(config: S3StorageConfig): string {
  const where = config.endpoint ?? `AWS ${config.region}`;
  return `s3://${config.bucket}${config.prefix === '' ? '' : `/${config.prefix}`} at ${where}`;
}
