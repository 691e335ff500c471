/**
 * db_config.ini's folder rules for an artist on Windows, run here under
 * `path.win32` (the platform is injected): `%USERPROFILE%` with a drive
 * letter or a UNC home, joined with backslashes only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultDbConfigPath,
  resolveDbDir,
  resolveTransferLogDir,
  sdkHomeDir,
} from '../src/transfer/db-config.js';
import { parseDbConfig } from '../src/transfer/db-config.js';

test('the SDK home and db_config.ini under %USERPROFILE% on Windows: drive letter and UNC homes', () => {
  const drive = { USERPROFILE: 'C:\\Users\\ann', HOME: '/ignored' };
  assert.equal(sdkHomeDir(drive, 'win32'), 'C:\\Users\\ann\\renderfarm_sdk');
  assert.equal(defaultDbConfigPath(drive, 'win32'), 'C:\\Users\\ann\\renderfarm_sdk\\db_config.ini');
  const unc = { USERPROFILE: '\\\\studio\\homes\\ann\\' };
  assert.equal(sdkHomeDir(unc, 'win32'), '\\\\studio\\homes\\ann\\renderfarm_sdk');
  assert.equal(defaultDbConfigPath(unc, 'win32'), '\\\\studio\\homes\\ann\\renderfarm_sdk\\db_config.ini');
});

test('the ini and the environment win over the home on Windows, verbatim', () => {
  const env = { USERPROFILE: 'C:\\Users\\ann' };
  const empty = parseDbConfig('');
  assert.equal(resolveTransferLogDir(empty, env, 'win32'), 'C:\\Users\\ann\\renderfarm_sdk');
  assert.equal(resolveDbDir(empty, env, 'win32'), 'C:\\Users\\ann\\renderfarm_sdk');
  assert.equal(resolveDbDir(empty, { ...env, RAYVISION_DB: 'D:\\farm\\db' }, 'win32'), 'D:\\farm\\db');
  const custom = parseDbConfig('[TRANSFER_LOG_PATH]\ntransfer_log_path = E:\\logs\n');
  assert.equal(resolveTransferLogDir(custom, env, 'win32'), 'E:\\logs');
});
