/**
 * Scene analysis speed.
 *
 * 1. Every corpus .blend: openfarm's AnalyzeBlender (read + resolve
 *    dependencies + write the four job files, in this process) against
 *    `blender -b FILE --python-expr <scene dump>` (a Blender process, which
 *    is what the reference SDK runs) in the same run. Prints per-file times
 *    and the ratio; goal ≥ 20× faster.
 * 2. The Maya ASCII parser's throughput on a generated 50 MB .ma; goal ≥ 50 MB/s.
 * 3. Nested dependencies: the USD crate reader and the Arnold .ass reader on
 *    generated files (goal ≥ 100 MB/s each), and AnalyzeMaya on a scene whose
 *    proxy shape reaches a 10,000-file dependency graph through USD layers
 *    (goal < 2 s).
 *
 * Speed is reported, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as analyzers from '@openfarm/analyzers';
import { benchNested } from './lib/nested-analysis.js';
import { AnalyzeBlender, readBlendFile } from '@openfarm/analyzers';

const corpus = fileURLToPath(new URL('../../shared/corpus/blender', import.meta.url));
const dumpScript = fileURLToPath(
  new URL('../packages/analyzers/test/fixtures/blend/dump-scene.py', import.meta.url),
);
const WARM_RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

function blenderVersion(): string | undefined {
  const r = spawnSync('blender', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? /Blender (\d+\.\d+)/.exec(r.stdout)?.[1] : undefined;
}

async function benchBlend(): Promise<void> {
  console.log('-- .blend analysis: openfarm (in process) vs Blender (blender -b FILE --python-expr <dump>)');
  if (!existsSync(corpus)) {
    console.log(`corpus not found (${corpus}): not measured`);
    return;
  }
  const blender = blenderVersion();
  if (!blender) console.log('blender is not installed: only openfarm times are shown');
  const dump = readFileSync(dumpScript, 'utf8');
  const workspace = mkdtempSync(join(tmpdir(), 'openfarm-bench-'));
  const ratios: number[] = [];
  // The first analysis in a process also pays for JIT warm-up: what a one-shot `openfarm analyze` sees.
  const firstRatios: number[] = [];
  try {
    const header = [
      'file',
      'version',
      'openfarm first',
      `openfarm median of ${WARM_RUNS}`,
      'blender',
      'ratio',
    ];
    console.log(header.join(' | '));
    for (const name of readdirSync(corpus).sort()) {
      if (!/\.blend\d*$/.test(name)) continue;
      const file = join(corpus, name);
      let t = performance.now();
      await new AnalyzeBlender({ cgFile: file, workspace }).analyse();
      const first = performance.now() - t;
      const warm: number[] = [];
      for (let i = 0; i < WARM_RUNS; i++) {
        t = performance.now();
        await new AnalyzeBlender({ cgFile: file, workspace }).analyse();
        warm.push(performance.now() - t);
      }
      const ours = median(warm);
      const { version, fileVersion } = await readBlendFile(file);
      let theirs = 'n/a';
      let ratio = 'n/a';
      let ratioFirst = 'n/a';
      if (blender && fileVersion <= 306) {
        t = performance.now();
        const r = spawnSync('blender', ['-b', '--factory-startup', file, '--python-expr', dump], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        const took = performance.now() - t;
        if (r.status === 0 && r.stdout.includes('OPENFARM_SCENE_DUMP')) {
          theirs = `${ms(took)} ms`;
          ratios.push(took / ours);
          ratio = `${(took / ours).toFixed(0)}×`;
          ratioFirst = `${(took / first).toFixed(0)}×`;
          firstRatios.push(took / first);
        } else {
          theirs = `failed (exit ${r.status})`;
        }
      } else if (blender) {
        theirs = `Blender ${blender} cannot open ${version} files`;
      }
      console.log(
        [name, version, `${ms(first)} ms`, `${ms(ours)} ms`, theirs, ratio, ratioFirst].join(' | '),
      );
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
  if (ratios.length > 0) {
    const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
    const worst = Math.min(...ratios);
    console.log(
      `ratio over ${ratios.length} files: geometric mean ${geo.toFixed(0)}×, worst ${worst.toFixed(0)}× ` +
        `(first runs: worst ${Math.min(...firstRatios).toFixed(0)}×) (goal ≥ 20×) → ${worst >= 20 ? 'met' : 'NOT met'}`,
    );
  }
}

/** A Maya ASCII scene of about `bytes` bytes: nodes, string attributes with `;`, multi-line statements. */
function generateMayaAscii(bytes: number): string {
  const parts: string[] = [
    '//Maya ASCII 2024 scene\n//Codeset: UTF-8\nrequires maya "2024";\nrequires "mtoa" "5.3.0";\n',
    'currentUnit -l centimeter -a degree -t film;\nfileInfo "application" "maya";\n',
  ];
  let size = parts.join('').length;
  for (let i = 0; size < bytes; i++) {
    const block =
      `createNode transform -n "node${i}" -p "group${i % 97}";\n` +
      `\trename -uid "${(i * 2654435761).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000";\n` +
      `\tsetAttr ".t" -type "double3" ${i * 0.5} ${-i * 0.25} ${i % 13} ;\n` +
      `createNode file -n "file${i}";\n` +
      `\tsetAttr ".ftn" -type "string" "sourceimages/tex_${i % 500}.<UDIM>.exr";\n` +
      `\tsetAttr ".notes" -type "string" "a; b; \\"quoted\\" text";\n` +
      `\tsetAttr -s 4 ".pnts[0:3]" -type "float3"\n\t\t 0 0 0 1 1 1\n\t\t 2 2 2 3 3 3 ;\n` +
      `connectAttr "file${i}.oc" "shader${i % 50}.bc";\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}

function benchMaya(): void {
  console.log('\n-- Maya ASCII parser throughput');
  const parse = (analyzers as Record<string, unknown>).parseMayaAscii;
  if (typeof parse !== 'function') {
    console.log('@openfarm/analyzers exports no parseMayaAscii yet: not measured');
    return;
  }
  const text = Buffer.from(generateMayaAscii(50 * 1024 * 1024), 'utf8');
  const mb = text.length / (1024 * 1024);
  const times: number[] = [];
  // Up to three runs, fewer when one run is already slow (the bench must finish in reasonable time).
  while (times.length < 3 && times.reduce((a, b) => a + b, 0) < 20_000) {
    const t = performance.now();
    (parse as (input: Uint8Array) => unknown)(text);
    times.push(performance.now() - t);
  }
  const best = Math.min(...times);
  const rate = mb / (median(times) / 1000);
  console.log(
    `generated .ma: ${mb.toFixed(1)} MB; parse ${times.map((x) => `${ms(x)} ms`).join(', ')}; ` +
      `median ${rate.toFixed(0)} MB/s, best ${(mb / (best / 1000)).toFixed(0)} MB/s (goal ≥ 50 MB/s) → ${rate >= 50 ? 'met' : 'NOT met'}`,
  );
}

await benchBlend();
benchMaya();
await benchNested();
