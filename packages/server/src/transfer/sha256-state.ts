/**
 * SHA-256 whose state can be saved and taken up again, by another process.
 *
 * A resumable upload staged as object-store parts (upload-staging-parts.ts) is
 * hashed as its parts arrive, possibly through several servers, and its bytes
 * cannot be read back before the object exists. Node's hash cannot export its
 * state, so this one can: after a whole number of 64-byte blocks the state is
 * the eight words and the byte count, stored beside each part. It runs in
 * JavaScript, several times slower than OpenSSL, but each byte is hashed once,
 * while its part is sent, instead of all of them inside the completing request.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/** `<8 words in hex>:<bytes hashed>`; only taken at a block boundary. */
const STATE = /^([0-9a-f]{64}):(\d{1,16})$/;

export class ResumableSha256 {
  private readonly h = new Int32Array(8);
  private readonly w = new Int32Array(64);
  /** Bytes of an unfinished block. */
  private readonly block = Buffer.alloc(64);
  private blockBytes = 0;
  private total = 0;

  constructor(state?: string) {
    if (state === undefined) {
      this.h.set(INITIAL);
      return;
    }
    const m = STATE.exec(state);
    if (m === null) throw new Error(`not a saved SHA-256 state: ${JSON.stringify(state)}`);
    const words = m[1] as string;
    for (let i = 0; i < 8; i++) this.h[i] = Number.parseInt(words.slice(i * 8, i * 8 + 8), 16) | 0;
    this.total = Number(m[2]);
    if (this.total % 64 !== 0) throw new Error('a saved SHA-256 state ends on a block boundary');
  }

  /** Bytes hashed so far. */
  get bytes(): number {
    return this.total;
  }

  update(data: Uint8Array): this {
    let i = 0;
    this.total += data.length;
    if (this.blockBytes > 0) {
      const take = Math.min(64 - this.blockBytes, data.length);
      this.block.set(data.subarray(0, take), this.blockBytes);
      this.blockBytes += take;
      i = take;
      if (this.blockBytes < 64) return this;
      this.compress(this.block, 0, 64);
      this.blockBytes = 0;
    }
    const whole = i + Math.floor((data.length - i) / 64) * 64;
    if (whole > i) this.compress(data, i, whole);
    i = whole;
    if (i < data.length) {
      this.block.set(data.subarray(i), 0);
      this.blockBytes = data.length - i;
    }
    return this;
  }

  /** The state to take up later with `new ResumableSha256(state)`; only after whole blocks. */
  save(): string {
    if (this.blockBytes !== 0) throw new Error('SHA-256 state saved in the middle of a block');
    let hex = '';
    for (let i = 0; i < 8; i++) hex += ((this.h[i] as number) >>> 0).toString(16).padStart(8, '0');
    return `${hex}:${this.total}`;
  }

  /** The digest in hex; the hash is finished (no update after). */
  digestHex(): string {
    const bits = this.total * 8;
    const pad = Buffer.alloc(this.blockBytes < 56 ? 64 - this.blockBytes : 128 - this.blockBytes);
    pad[0] = 0x80;
    pad.writeUInt32BE(Math.floor(bits / 0x100000000), pad.length - 8);
    pad.writeUInt32BE(bits >>> 0, pad.length - 4);
    const total = this.total;
    this.update(pad);
    this.total = total;
    let hex = '';
    for (let i = 0; i < 8; i++) hex += ((this.h[i] as number) >>> 0).toString(16).padStart(8, '0');
    return hex;
  }

  /** Hash the whole blocks of `d` from `at` to `end`. */
  private compress(d: Uint8Array, at: number, end: number): void {
    const w = this.w;
    const k = K;
    const h = this.h;
    let h0 = h[0] as number;
    let h1 = h[1] as number;
    let h2 = h[2] as number;
    let h3 = h[3] as number;
    let h4 = h[4] as number;
    let h5 = h[5] as number;
    let h6 = h[6] as number;
    let h7 = h[7] as number;
    for (let j = at; j < end; j += 64) {
      for (let t = 0; t < 16; t++) {
        const x = j + t * 4;
        w[t] =
          ((d[x] as number) << 24) |
          ((d[x + 1] as number) << 16) |
          ((d[x + 2] as number) << 8) |
          (d[x + 3] as number);
      }
      for (let t = 16; t < 64; t++) {
        const a = w[t - 15] as number;
        const b = w[t - 2] as number;
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
      }
      let a = h0;
      let b = h1;
      let c = h2;
      let dd = h3;
      let e = h4;
      let f = h5;
      let g = h6;
      let hh = h7;
      for (let t = 0; t < 64; t++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + (k[t] as number) + (w[t] as number)) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g;
        g = f;
        f = e;
        e = (dd + t1) | 0;
        dd = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0;
      h1 = (h1 + b) | 0;
      h2 = (h2 + c) | 0;
      h3 = (h3 + dd) | 0;
      h4 = (h4 + e) | 0;
      h5 = (h5 + f) | 0;
      h6 = (h6 + g) | 0;
      h7 = (h7 + hh) | 0;
    }
    h[0] = h0;
    h[1] = h1;
    h[2] = h2;
    h[3] = h3;
    h[4] = h4;
    h[5] = h5;
    h[6] = h6;
    h[7] = h7;
  }
}
