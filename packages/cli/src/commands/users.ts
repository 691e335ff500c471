/**
 * `openfarm users add|list|rotate-key|disable|enable|retention`: account administration,
 * run on the farm's data directory (works while the server runs).
 */
import {
  createUser,
  findUserByName,
  listUsers,
  type OutputRetentionSetting,
  ownOutputRetention,
  rotateAccessKey,
  setOutputRetention,
  setUserDisabled,
} from '@openfarm/server';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, terminalSafe } from '../output.js';
import { outputOf, type StoreOptions, withStore, withStoreOptions } from './admin-store.js';
import { parseDuration } from './duration.js';

function parseUserId(text: string): number {
  if (!/^\d{1,12}$/.test(text))
    throw new CliError(
      'PARAMETER_INVALID',
      `--sub-of expects a numeric user id, not ${JSON.stringify(text)}`,
    );
  return Number(text);
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description("manage the farm's accounts and access keys");

  withStoreOptions(users.command('add <name>').description('create a user with a fresh access id and key'))
    .option('--admin', 'make the user an administrator')
    .option('--sub-of <userId>', 'create a sub-account of this main account', parseUserId)
    .option('--share-assets', "sub-accounts only: upload into the main account's input storage")
    .option('--json', 'print {"userId","userName","accessId","accessKey"} as JSON')
    .action(
      async (
        name: string,
        options: StoreOptions & { admin?: boolean; subOf?: number; shareAssets?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const out = outputOf(cmd);
        const user = await withStore(options, (store) =>
          createUser(store.db, name, {
            admin: options.admin === true,
            ...(options.subOf !== undefined ? { subOf: options.subOf } : {}),
            shareMainCapital: options.shareAssets === true,
          }),
        );
        if (options.json === true) {
          out(
            `${jsonSafe({ userId: user.userId, userName: user.userName, accessId: user.accessId, accessKey: user.accessKey }, 0)}\n`,
          );
          return;
        }
        out(
          `created user ${terminalSafe(user.userName)} (id ${user.userId})\n` +
            `accessId:  ${user.accessId}\n` +
            `accessKey: ${user.accessKey}\n` +
            'The key is shown once; keep it secret. Give both to the SDK or `openfarm login`.\n',
        );
      },
    );

  withStoreOptions(users.command('list').description('list users (never prints access keys)'))
    .option('--json', 'print a JSON array')
    .action(async (options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const rows = await withStore(options, (store) => listUsers(store.db));
      const list = rows.map((u) => ({
        userId: u.id,
        userName: u.name,
        accessId: u.access_id,
        admin: u.is_admin === 1,
        disabled: u.disabled === 1,
        mainUserId: u.main_user_id,
      }));
      if (options.json === true) {
        out(`${jsonSafe(list, 0)}\n`);
        return;
      }
      if (list.length === 0) {
        out('no users yet: create one with `openfarm users add NAME`\n');
        return;
      }
      const lines = list.map((u) =>
        [
          String(u.userId).padEnd(6),
          terminalSafe(u.userName).padEnd(20),
          u.accessId.padEnd(34),
          [
            u.admin ? 'admin' : '',
            u.disabled ? 'disabled' : '',
            u.mainUserId !== null ? `sub-of ${u.mainUserId}` : '',
          ]
            .filter((x) => x !== '')
            .join(', '),
        ]
          .join(' ')
          .trimEnd(),
      );
      out(`${'ID'.padEnd(6)} ${'NAME'.padEnd(20)} ${'ACCESS ID'.padEnd(34)} FLAGS\n${lines.join('\n')}\n`);
    });

  withStoreOptions(
    users
      .command('rotate-key <name>')
      .description('give a user a new access id and key; the old pair stops working at once'),
  )
    .option('--json', 'print {"userId","userName","accessId","accessKey"} as JSON')
    .action(async (name: string, options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const user = await withStore(options, (store) => rotateAccessKey(store.db, name));
      out(
        options.json === true
          ? `${jsonSafe(user, 0)}\n`
          : `new key for ${terminalSafe(user.userName)}\naccessId:  ${user.accessId}\naccessKey: ${user.accessKey}\n`,
      );
    });

  withStoreOptions(
    users.command('disable <name>').description('refuse every call of a user (code 804) until enabled again'),
  ).action(async (name: string, options: StoreOptions, cmd: Command) => {
    const out = outputOf(cmd);
    await withStore(options, (store) => setUserDisabled(store.db, name, true));
    out(`disabled ${terminalSafe(name)}\n`);
  });

  withStoreOptions(
    users
      .command('retention <name> [setting]')
      .description(
        "show or set how long the account's outputs are kept: a duration (e.g. 30d), 'forever', or 'default' " +
          "(a sub-account follows its main account, a main account the farm's --output-retention)",
      ),
  ).action(async (name: string, setting: string | undefined, options: StoreOptions, cmd: Command) => {
    const out = outputOf(cmd);
    const wanted: OutputRetentionSetting | undefined =
      setting === undefined || setting === 'forever' || setting === 'default'
        ? setting
        : parseDuration(setting, 'retention');
    if (wanted === 0)
      throw new CliError('PARAMETER_INVALID', "retention: use a duration above 0 or 'forever'");
    const now = await withStore(options, async (store) => {
      const user = await findUserByName(store.db, name);
      if (user === undefined) throw new CliError('PARAMETER_INVALID', `no user named ${name}`);
      if (wanted !== undefined) await setOutputRetention(store.db, user.id, wanted);
      return { user, own: await ownOutputRetention(store.db, user.id) };
    });
    const inherits =
      now.user.main_user_id !== null
        ? `its main account's (id ${now.user.main_user_id})`
        : "the farm's (--output-retention; kept when not given)";
    const text =
      now.own === 'default'
        ? `follows ${inherits}`
        : now.own === 'forever'
          ? 'kept for ever'
          : `kept ${formatDays(now.own)} after they were written`;
    out(`outputs of ${terminalSafe(name)}: ${text}\n`);
  });

  withStoreOptions(
    users.command('enable <name>').description('accept the calls of a disabled user again'),
  ).action(async (name: string, options: StoreOptions, cmd: Command) => {
    const out = outputOf(cmd);
    await withStore(options, (store) => setUserDisabled(store.db, name, false));
    out(`enabled ${terminalSafe(name)}\n`);
  });
}

/** A retention for people: whole days, hours or minutes when it is one, else milliseconds. */
function formatDays(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
