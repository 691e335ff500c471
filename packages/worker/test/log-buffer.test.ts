/**
 * The log buffer's own rules, without a farm: clamping keeps lines within the
 * farm's limit (surrogate pairs whole), and a chunk the farm refuses for its
 * content is split until only the refused line is replaced by a note, while a
 * lost lease still ends the sending.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampLogLine, LeaseLostError, LogBuffer, MAX_LOG_LINE, NodeApiError } from '@openfarm/worker';

test('lines within the limit pass unchanged; longer ones are clamped to it and marked', () => {
  assert.equal(clampLogLine('Fra:1 Sample 4/4'), 'Fra:1 Sample 4/4');
  const exact = 'y'.repeat(MAX_LOG_LINE);
  assert.equal(clampLogLine(exact), exact);
  for (const size of [MAX_LOG_LINE + 1, 100_000, 10_000_000]) {
    const out = clampLogLine('z'.repeat(size));
    assert.ok(out.length <= MAX_LOG_LINE, `${size}: ${out.length}`);
    const m = / … \[truncated (\d+) characters\]$/.exec(out)!;
    assert.equal(out.length - m[0].length + Number(m[1]), size);
  }
  // A cut that would fall inside a surrogate pair keeps the pair out whole.
  const emoji = clampLogLine('😀'.repeat(MAX_LOG_LINE));
  assert.ok(!/[\uD800-\uDBFF]$/.test(emoji.replace(/ … \[truncated \d+ characters\]$/, '')));
  assert.equal(clampLogLine('a\u0000b'), 'a\uFFFDb');
});

test('a refused chunk is split; only the refused line is replaced by a note', async () => {
  const stored: string[] = [];
  let requests = 0;
  const send = async (lines: string[]) => {
    requests++;
    if (lines.some((l) => l.includes('BAD')))
      throw new NodeApiError('/log', 400, 600, 'Invalid parameter: lines (not accepted)');
    stored.push(...lines);
  };
  const errors: unknown[] = [];
  const buf = new LogBuffer(send, (e) => errors.push(e), 10_000, 1000);
  const lines = Array.from({ length: 100 }, (_, i) => (i === 37 ? 'BAD line' : `line ${i}`));
  for (const l of lines) buf.push(l);
  await buf.flush();
  assert.deepEqual(errors, []);
  assert.equal(stored.length, 100);
  assert.deepEqual(stored.slice(0, 37), lines.slice(0, 37));
  assert.match(stored[37]!, /^\[openfarm\] the farm refused a log line of 8 characters: .*not accepted/);
  assert.deepEqual(stored.slice(38), lines.slice(38));
  assert.ok(requests < 30, `${requests} requests`);
});

test('a lost lease is not split around: it ends the sending', async () => {
  let requests = 0;
  const errors: unknown[] = [];
  const buf = new LogBuffer(
    async () => {
      requests++;
      throw new LeaseLostError(7);
    },
    (e) => errors.push(e),
  );
  for (let i = 0; i < 10; i++) buf.push(`line ${i}`);
  await buf.flush();
  assert.equal(requests, 1);
  assert.ok(errors[0] instanceof LeaseLostError);
});
