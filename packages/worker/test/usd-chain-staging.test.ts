import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeScene } from '@openfarm/analyzers';
import { createUser, createWorker, type RunningFarmServer } from '@openfarm/server';
import { ContentCache, NodeApi, type WireLease, stagedPath, stageInputs } from '@openfarm/worker';
import { artistApi, submitAnalyzedScene } from '../../../scripts/test-support/submit-scene.js';
import { crateBytes } from '../../analyzers/test/support/usd-crate-writer.js';
import { closeFarm, startFarm, waitUntil } from './farm-support.js';

/**
 * A Maya scene whose textures are reached only through USD layers (text and
 * crate, four deep) is analyzed, checked, uploaded and submitted by the SDK;
 * the artist's folder is then deleted, so the render node can only use the
 * farm's copies. A node that advertises Maya takes the lease and stages its
 * inputs with the worker's own staging code: every file of the chain must be
 * in the staged tree where the layer that names it expects it, which the
 * analyzer, run again on the staged scene, confirms (nothing missing).
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-usd-staging-'));
const artist = join(root, 'artist', 'show');
let server: RunningFarmServer;

const CHAIN: Record<string, string | Uint8Array> = {
  'scenes/shot.ma':
    '//Maya ASCII 2024 scene\nrequires maya "2024";\nrequires -nodeType "mayaUsdProxyShape" "mayaUsdPlugin" "0.25.0";\n' +
    'currentUnit -l centimeter -a degree -t film;\ncreateNode transform -n "stage1";\n' +
    'createNode mayaUsdProxyShape -n "stageShape1" -p "stage1";\n\tsetAttr ".fp" -type "string" "../usd/shot.usda";\n',
  'usd/shot.usda': '#usda 1.0\n(\n    subLayers = [@./layers/anim.usdc@]\n)\n',
  'usd/layers/anim.usdc': crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/Ball', specType: 6, fields: { references: { references: ['../../assets/ball.usda'] } } },
  ]),
  'assets/ball.usda':
    '#usda 1.0\ndef Xform "Ball" (\n    prepend references = @./looks/ball_looks.usdc@\n)\n{\n}\n',
  'assets/looks/ball_looks.usdc': crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/Ball{look=red}', specType: 10, fields: {} },
    {
      path: '/Ball{look=red}/Tex.inputs:file',
      specType: 1,
      fields: { default: { string: '../../tex/ball_<UDIM>.png' } },
    },
    { path: '/Ball{look=blue}', specType: 10, fields: {} },
    {
      path: '/Ball{look=blue}/Tex.inputs:file',
      specType: 1,
      fields: { default: { asset: '../../tex/ball_blue.png' } },
    },
  ]),
  'tex/ball_1001.png': 'tile 1001',
  'tex/ball_1002.png': 'tile 1002',
  'tex/ball_blue.png': 'blue',
};

before(async () => {
  for (const [rel, content] of Object.entries(CHAIN)) {
    mkdirSync(dirname(join(artist, rel)), { recursive: true });
    writeFileSync(join(artist, rel), content);
  }
  server = await startFarm(join(root, 'farm'), {});
});
after(async () => {
  await closeFarm(server);
  rmSync(root, { recursive: true, force: true });
});

test('a scene reaching its textures only through a USD chain is staged on the node with every layer where the chain expects it', async () => {
  const db = server.farm.store.db;
  const user = await createUser(db, 'usd-artist');
  const analyzer = await analyzeScene(join(artist, 'scenes/shot.ma'), {
    workspace: mkdtempSync(join(root, 'ws-')),
  });
  assert.deepEqual(analyzer.tipsInfo, {}, 'nothing missing on the artist side');
  const api = artistApi(server.url, user);
  const taskId = await submitAnalyzedScene(api, analyzer, join(root, 'db_config.ini'));
  // The node cannot see the artist's folder: only the farm's copies remain.
  rmSync(join(root, 'artist'), { recursive: true, force: true });

  const worker = await createWorker(db, 'maya-node');
  const node = new NodeApi(server.url, worker.token);
  await node.register({
    os: 'linux',
    cores: 2,
    ramMb: 8192,
    gpus: 0,
    slots: 1,
    platform: null,
    renderers: [{ cgName: 'Maya', version: '2024' }],
    hardwareConfigIds: [],
    agentVersion: 'staging-test',
  });
  let lease: WireLease | undefined;
  await waitUntil(
    'a lease for the Maya task',
    async () => {
      const answer = await node.poll([], 1, 1000);
      lease = answer.leases.find((l) => l.job.taskId === taskId);
      return lease !== undefined;
    },
    30_000,
  );
  const job = lease!.job;
  assert.deepEqual(job.missingInputs, []);

  const cache = await ContentCache.open({ dir: join(root, 'node', 'cache'), maxBytes: 1 << 30 });
  const stagingRoot = join(root, 'node', 'stage');
  mkdirSync(stagingRoot, { recursive: true });
  await stageInputs(cache, job.inputs, stagingRoot, (input, tmp) => node.downloadBlob(input, tmp));

  const stagedScene = stagedPath(stagingRoot, job.scenePath);
  const stagedRoot = dirname(dirname(stagedScene)); // the staged copy of the artist's `show` folder
  for (const [rel, content] of Object.entries(CHAIN)) {
    const staged = join(stagedRoot, rel);
    assert.ok(existsSync(staged), `${rel} is staged beside the layer that names it`);
    assert.deepEqual(
      new Uint8Array(readFileSync(staged)),
      typeof content === 'string' ? new TextEncoder().encode(content) : content,
    );
  }
  // The analyzer, run on the node's tree, follows the same chain and misses nothing.
  const again = await analyzeScene(stagedScene, { workspace: mkdtempSync(join(root, 'ws-node-')) });
  assert.deepEqual(again.tipsInfo, {});
  assert.equal(again.nestedFiles.length, 4);
  assert.equal(again.uploadInfo!.asset.length, Object.keys(CHAIN).length);
  await node.fail(lease!, 'staging test: no Maya renderer on this machine');
});
