// Types of test-rgw.mjs for the TypeScript tests that start an RGW.
export interface TestRgw {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The cluster's folder (config, logs, data). */
  readonly dir: string;
  /** SIGKILL the daemons by PID and remove the folder; also runs when the process exits. */
  stop(): void;
}

export function startTestRgw(): Promise<TestRgw | { readonly reason: string; readonly endpoint?: undefined }>;

/**
 * For a test file: an RGW to use, or `{ skip }` with the reason it is missing. Under
 * CI=true a missing or failing RGW throws instead, so the file fails.
 */
export function rgwForTestFile(): Promise<TestRgw | { readonly skip: string; readonly endpoint?: undefined }>;
