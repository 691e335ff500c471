/** The SHA-256 whose state is saved with each staged part: equal to OpenSSL's, however it is cut and taken up. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ResumableSha256 } from '../src/transfer/sha256-state.js';

const native = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('digests equal OpenSSL at every length around the padding boundaries', () => {
  for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 70_001]) {
    const b = randomBytes(n);
    assert.equal(new ResumableSha256().update(b).digestHex(), native(b), `${n} bytes`);
  }
  assert.equal(
    new ResumableSha256().update(Buffer.from('abc')).digestHex(),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
});

test('a state saved at a block boundary and taken up in another hasher gives the same digest', () => {
  const data = randomBytes(3 * 65_536 + 777);
  for (let round = 0; round < 20; round++) {
    // Pieces of any size; saved whenever the bytes so far end on a block.
    let h = new ResumableSha256();
    let at = 0;
    while (at < data.length) {
      const n = Math.min(data.length - at, 1 + Math.floor(Math.random() * 9000));
      h.update(data.subarray(at, at + n));
      at += n;
      if (at % 64 === 0) h = new ResumableSha256(h.save());
    }
    assert.equal(h.digestHex(), native(data));
  }
  const at = 65_536;
  const saved = new ResumableSha256().update(data.subarray(0, at)).save();
  assert.match(saved, /^[0-9a-f]{64}:65536$/);
  assert.equal(new ResumableSha256(saved).update(data.subarray(at)).digestHex(), native(data));
});

test('a state cannot be saved in the middle of a block, and a malformed one is refused', () => {
  assert.throws(() => new ResumableSha256().update(randomBytes(65)).save(), /middle of a block/);
  assert.throws(() => new ResumableSha256('nope'), /not a saved SHA-256 state/);
  assert.throws(() => new ResumableSha256(`${'0'.repeat(64)}:65`), /block boundary/);
});
