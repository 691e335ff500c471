/**
 * Nested-dependency readers' speed (part of analyze.ts): the USD crate reader
 * and the Arnold .ass reader on generated files, and a whole analysis of a
 * scene whose dependency graph holds 10,000 files reached through USD layers.
 * Speed is reported, never asserted.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalyzeMaya, dependencyReaderFor, readAssDependencies } from '@openfarm/analyzers';
import {
  type CrateSpecInput,
  writeCrateFile,
} from '../../packages/analyzers/test/support/usd-crate-writer.js';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall and CPU time of each run: on a shared machine the CPU figure shows the code, the wall figure the machine. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

function rates(label: string, mb: number, runs: Timing[], goal: number): void {
  const walls = runs.map((r) => r.wall);
  const rate = mb / (median(walls) / 1000);
  const lo = mb / (Math.max(...walls) / 1000);
  const hi = mb / (Math.min(...walls) / 1000);
  const cpuRate = mb / (median(runs.map((r) => r.cpu)) / 1000);
  console.log(
    `${label}: ${mb.toFixed(1)} MB; median ${rate.toFixed(0)} MB/s (range ${lo.toFixed(0)}–${hi.toFixed(0)}), ` +
      `${cpuRate.toFixed(0)} MB/s of CPU time (goal ≥ ${goal} MB/s) → ${rate >= goal ? 'met' : 'NOT met'}`,
  );
}

/** A production-like crate: many prims, each with a shader texture path and a point array. */
function crateSpecs(prims: number, pointBytes: number): CrateSpecInput[] {
  const specs: CrateSpecInput[] = [
    { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./anim.usda'] } } },
  ];
  for (let i = 0; i < prims; i++) {
    specs.push({
      path: `/World/p${i}`,
      specType: 6,
      fields: { references: { references: [`./assets/a${i % 300}.usd`] } },
    });
    specs.push({ path: `/World/p${i}.points`, specType: 1, fields: { default: { blobBytes: pointBytes } } });
    specs.push({
      path: `/World/p${i}/Tex.inputs:file`,
      specType: 1,
      fields: { default: { asset: `tex/t${i}.<UDIM>.exr` } },
    });
  }
  return specs;
}

function generateAss(bytes: number): Uint8Array {
  const parts: string[] = ['options\n{\n AA_samples 3\n texture_searchpath "/studio/tex"\n}\n'];
  let size = parts[0]!.length;
  const row = `${'0.123456 -1.5 2.25 '.repeat(8)}\n`;
  for (let i = 0; size < bytes; i++) {
    const block =
      `image\n{\n name tex${i}\n filename "tex/t${i}.<UDIM>.tx"\n}\n` +
      `polymesh\n{\n name mesh${i}\n nsides 100 1 UINT\n${'4 '.repeat(100)}\n vlist 800 1 VECTOR\n${row.repeat(100)}}\n`;
    parts.push(block);
    size += block.length;
  }
  return Buffer.from(parts.join(''), 'utf8');
}

function time(fn: () => void): Timing {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const used = process.cpuUsage(c);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

export async function benchNested(): Promise<void> {
  console.log('\n-- nested dependencies');
  const dir = mkdtempSync(join(tmpdir(), 'openfarm-bench-nested-'));
  try {
    // Crate: 20,000 prims × (reference, 4 KB of points, texture) ≈ 80 MB.
    const crate = join(dir, 'heavy.usdc');
    writeCrateFile(crate, crateSpecs(20_000, 4096));
    const usd = dependencyReaderFor(crate)!;
    usd.read(crate);
    const crateTimes = Array.from({ length: RUNS }, () => time(() => usd.read(crate)));
    rates('USD crate reader (20,000 prims, 60,000 specs)', statSync(crate).size / 1048576, crateTimes, 100);

    const ass = generateAss(100 * 1024 * 1024);
    readAssDependencies(ass, join(dir, 'x.ass'));
    const assTimes = Array.from({ length: RUNS }, () =>
      time(() => readAssDependencies(ass, join(dir, 'x.ass'))),
    );
    rates('Arnold .ass reader (polymesh arrays, image nodes)', ass.length / 1048576, assTimes, 100);

    // 10,000-file graph: scene → stage.usda → 100 layers (half crate, half text) → 99 textures each.
    const root = join(dir, 'graph');
    mkdirSync(join(root, 'layers'), { recursive: true });
    mkdirSync(join(root, 'tex'), { recursive: true });
    const layers: string[] = [];
    let files = 2;
    for (let l = 0; l < 100; l++) {
      const textures = Array.from({ length: 99 }, (_, t) => `../tex/l${l}_t${t}.exr`);
      for (const t of textures) writeFileSync(join(root, 'layers', t), '');
      files += textures.length + 1;
      if (l % 2 === 0) {
        const name = `layer${l}.usdc`;
        writeCrateFile(join(root, 'layers', name), [
          { path: '/', specType: 7, fields: {} },
          ...textures.map((t, i) => ({
            path: `/L${l}/M${i}.inputs:file`,
            specType: 1,
            fields: { default: { asset: t } },
          })),
        ]);
        layers.push(`@./layers/${name}@`);
      } else {
        const name = `layer${l}.usda`;
        writeFileSync(
          join(root, 'layers', name),
          `#usda 1.0\ndef "L${l}" {\n${textures.map((t, i) => `  asset inputs:m${i} = @${t}@\n`).join('')}}\n`,
        );
        layers.push(`@./layers/${name}@`);
      }
    }
    writeFileSync(join(root, 'stage.usda'), `#usda 1.0\n(\n  subLayers = [\n${layers.join(',\n')}\n  ]\n)\n`);
    writeFileSync(
      join(root, 'shot.ma'),
      '//Maya ASCII 2024 scene\nrequires maya "2024";\ncreateNode transform -n "s";\n' +
        'createNode mayaUsdProxyShape -n "stageShape" -p "s";\n\tsetAttr ".fp" -type "string" "stage.usda";\n',
    );
    const workspace = join(dir, 'ws');
    mkdirSync(workspace);
    const graphTimes: number[] = [];
    const graphCpu: number[] = [];
    let uploaded = 0;
    for (let r = 0; r < RUNS; r++) {
      const c = process.cpuUsage();
      const t = performance.now();
      const maya = await new AnalyzeMaya({ cgFile: join(root, 'shot.ma'), workspace }).analyse();
      graphTimes.push(performance.now() - t);
      const used = process.cpuUsage(c);
      graphCpu.push((used.user + used.system) / 1000);
      uploaded = maya.uploadInfo!.asset.length;
    }
    const m = median(graphTimes) / 1000;
    console.log(
      `AnalyzeMaya, proxy shape → 100 layers → ${files} files in the graph (${uploaded} in upload.json): ` +
        `${graphTimes.map((x) => `${(x / 1000).toFixed(2)} s`).join(', ')}; median ${m.toFixed(2)} s ` +
        `(CPU ${(median(graphCpu) / 1000).toFixed(2)} s) (goal < 2 s) → ${m < 2 ? 'met' : 'NOT met'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
