/**
 * Log files of the Analyze* front ends (`logFolder`, `logName`, `logLevel`),
 * written by the same module as the SDK's (log-file.ts of @openfarm/protocol):
 * the reference's folder rules, levels, rotation by size. Real analyses of the
 * Maya project fixture, whose textures are left out so files are missing.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeMaya } from '../src/index.js';
import { defaultWorkspace } from '../src/core/job-folder.js';

const fixture = fileURLToPath(new URL('./fixtures/maya/project', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'openfarm-analyzer-logs-'));
after(() => rmSync(root, { recursive: true, force: true }));
cpSync(fixture, join(root, 'project'), { recursive: true });
const cgFile = join(root, 'project', 'scenes', 'shot010.ma');
const workspace = join(root, 'ws');
mkdirSync(workspace);
const logs = join(root, 'logs');

test('logFolder and logName: <logFolder>/rayvision_maya/<logName>, with the analysis in it', async () => {
  const a = await new AnalyzeMaya({ cgFile, workspace, logFolder: logs, logName: 'shot010.log' }).analyse();
  assert.equal(a.logApp, 'rayvision_maya');
  const text = readFileSync(join(logs, 'rayvision_maya', 'shot010.log'), 'utf8');
  assert.match(text, / INFO analyzing .*shot010\.ma \(Maya\) into /);
  assert.match(text, / WARNING missing file: .*wood_color\.png \(named by woodColor/);
  assert.match(text, / DEBUG tip /);
  assert.match(
    text,
    / INFO wrote .*task\.json, .*asset\.json, .*tips\.json, .*upload\.json: \d+ files to upload, \d+ missing/,
  );
});

test('logLevel drops what is below it; a wrong level fails at construction', async () => {
  await new AnalyzeMaya({
    cgFile,
    workspace,
    logFolder: logs,
    logName: 'warn.log',
    logLevel: 'warning',
  }).analyse();
  const text = readFileSync(join(logs, 'rayvision_maya', 'warn.log'), 'utf8');
  assert.match(text, / WARNING missing file: /);
  assert.doesNotMatch(text, / (INFO|DEBUG) /);
  assert.throws(
    () => new AnalyzeMaya({ cgFile, workspace, logFolder: logs, logLevel: 'LOUD' }),
    /logLevel must be/,
  );
});

test('without logFolder the reference folder rules apply; without any log option no file is written', async (t) => {
  const logRoot = join(root, 'log-root');
  const before = process.env.RAYVISION_LOG_ROOT;
  process.env.RAYVISION_LOG_ROOT = logRoot;
  t.after(() => {
    if (before === undefined) delete process.env.RAYVISION_LOG_ROOT;
    else process.env.RAYVISION_LOG_ROOT = before;
  });
  await new AnalyzeMaya({ cgFile, workspace }).analyse();
  assert.equal(existsSync(logRoot), false);
  await new AnalyzeMaya({ cgFile, workspace, logName: 'default.log' }).analyse();
  assert.match(readFileSync(join(logRoot, userInfo().username, 'default.log'), 'utf8'), / INFO wrote /);
});

test('the log file rotates at 10 MiB, keeping the older lines in <file>.1', async () => {
  const file = join(logs, 'rayvision_maya', 'full.log');
  mkdirSync(join(logs, 'rayvision_maya'), { recursive: true });
  writeFileSync(file, '');
  truncateSync(file, 10 * 1024 * 1024 - 100); // nearly full, without writing 10 MiB
  await new AnalyzeMaya({ cgFile, workspace, logFolder: logs, logName: 'full.log' }).analyse();
  assert.equal(statSync(`${file}.1`).size >= 10 * 1024 * 1024 - 100, true);
  assert.ok(statSync(file).size < 1024 * 1024);
  assert.match(readFileSync(file, 'utf8'), / INFO wrote /);
  assert.deepEqual(
    readdirSync(join(logs, 'rayvision_maya'))
      .filter((n) => n.startsWith('full.log'))
      .sort(),
    ['full.log', 'full.log.1'],
  );
});

test('the logger option gets the same lines, with or without a file; a failed analysis is logged', async () => {
  const lines: string[] = [];
  const logger = {
    debug: (m: string) => lines.push(`DEBUG ${m}`),
    info: (m: string) => lines.push(`INFO ${m}`),
    warn: (m: string) => lines.push(`WARNING ${m}`),
    error: (m: string) => lines.push(`ERROR ${m}`),
  };
  await new AnalyzeMaya({ cgFile, workspace, logger }).analyse();
  assert.ok(lines.some((l) => /^WARNING missing file: /.test(l)));
  assert.ok(lines.some((l) => /^INFO wrote /.test(l)));
  const broken = join(root, 'broken.mb');
  writeFileSync(broken, 'not a Maya binary');
  lines.length = 0;
  await assert.rejects(
    new AnalyzeMaya({ cgFile: broken, workspace, logger, logFolder: logs, logName: 'broken.log' }).analyse(),
  );
  assert.ok(
    lines.some((l) => /^ERROR analysis of .*broken\.mb failed: /.test(l)),
    lines.join('\n'),
  );
  assert.match(readFileSync(join(logs, 'rayvision_maya', 'broken.log'), 'utf8'), / ERROR analysis of /);
});

test('the default workspace under %USERPROFILE% on Windows (path.win32): drive and UNC homes', () => {
  assert.equal(
    defaultWorkspace({ USERPROFILE: 'C:\\Users\\ann', HOME: '/ignored' }, 'win32'),
    'C:\\Users\\ann\\renderfarm_sdk',
  );
  assert.equal(
    defaultWorkspace({ USERPROFILE: '\\\\studio\\homes\\ann\\' }, 'win32'),
    '\\\\studio\\homes\\ann\\renderfarm_sdk',
  );
  assert.equal(defaultWorkspace({ HOME: '/Users/ann' }, 'darwin'), '/Users/ann/renderfarm_sdk');
});
