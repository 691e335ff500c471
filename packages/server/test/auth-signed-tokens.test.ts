/** The one HMAC token mechanism behind transfer, event-stream and dashboard tokens. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDataDirStore, type Store } from '@openfarm/server';
import { EventsTokens } from '../src/auth/events-token.js';
import { SignedTokens } from '../src/auth/signed-tokens.js';
import { TransferTokens } from '../src/transfer/transfer-tokens.js';
import { thumbnailToken, verifyThumbnailToken } from '../src/web/web-tokens.js';

describe('signed tokens', () => {
  let dir: string;
  let store: Store;
  const now = Date.UTC(2026, 0, 1);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openfarm-tokens-'));
    store = await openDataDirStore(join(dir, 'data'));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function secret(key: string): Promise<string> {
    const row = await store.db
      .selectFrom('server_settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    return row.value;
  }
  const hmac = (s: string, text: string) => createHmac('sha256', s).update(text).digest('base64url');

  test('each family keeps its stored secret and MAC input, so tokens issued before still verify', async () => {
    const transfer = (await new TransferTokens(store.db).issue(7, now)).token;
    const events = (await new EventsTokens(store.db).issue(7, now)).token;
    const thumb = await thumbnailToken(store.db, 9, now);
    const t = transfer.split('.');
    assert.equal(t[2], hmac(await secret('transfer_token_secret'), `transfer.${t[0]}.${t[1]}`));
    const e = events.split('.');
    assert.equal(e[2], hmac(await secret('events_token_secret'), `${e[0]}.${e[1]}`));
    const th = thumb.split('.');
    assert.equal(
      th[2],
      hmac(await secret('dashboard_token_secret'), `dashboard.thumbnail.${th[0]}.${th[1]}`),
    );
    assert.equal(Number(t[1]), now / 1000 + 3600);
    assert.equal(Number(e[1]), now / 1000 + 300);
  });

  test('a token verifies only in its own family, untampered and unexpired', async () => {
    const transfer = new TransferTokens(store.db);
    const events = new EventsTokens(store.db);
    const { token, expiresAt } = await transfer.issue(7, now);
    assert.equal(await transfer.verify(token, now), 7);
    assert.equal(
      await new TransferTokens(store.db).verify(token, now),
      7,
      'another instance shares the secret',
    );
    assert.equal(await events.verify(token, now), undefined);
    assert.equal(await verifyThumbnailToken(store.db, token, now), undefined);
    assert.equal(await transfer.verify(token.replace(/^7\./, '8.'), now), undefined);
    assert.equal(await transfer.verify(`${token}x`, now), undefined);
    assert.equal(await transfer.verify(token, expiresAt), 7);
    assert.equal(await transfer.verify(token, expiresAt + 1), undefined);
    assert.equal(SignedTokens.expiresAt(token), expiresAt);
    const thumb = await thumbnailToken(store.db, 9, now);
    assert.equal(await verifyThumbnailToken(store.db, thumb, now), 9);
    assert.equal(await transfer.verify(thumb, now), undefined);
  });

  test('a prefix keeps purposes under one secret apart', async () => {
    const a = new SignedTokens(store.db, 'test_token_secret', 'a.');
    const b = new SignedTokens(store.db, 'test_token_secret', 'b.');
    const { token } = await a.issue(1, 60, now);
    assert.equal(await a.verify(token, now), 1);
    assert.equal(await b.verify(token, now), undefined);
  });
});
