/**
 * The account and the client's own settings: `openfarm whoami`,
 * `openfarm logout`, `openfarm config show` and
 * `openfarm projects list|add|remove`.
 */
import { rm } from 'node:fs/promises';
import { ACCESS_ID_ENV, ACCESS_KEY_ENV } from '@openfarm/sdk';
import type { Command } from 'commander';
import { jsonSafe, print, terminalSafe } from '../output.js';
import { table } from '../table.js';
import {
  type ConnectionFlags,
  clientCommand,
  connectClient,
  PLATFORM_ENV,
  profilePath,
  readProfile,
  URL_ENV,
} from './tasks.js';

/** A key shown as its last four characters: enough to tell two apart, too little to use. */
function masked(key: string | undefined): string | undefined {
  return key === undefined || key === '' ? undefined : `…${key.slice(-4)}`;
}

export function registerAccountCommands(program: Command): void {
  clientCommand(program, 'whoami', 'show the account and farm the client uses').action(async function (
    this: Command,
    flags: ConnectionFlags,
  ) {
    const api = await connectClient(flags);
    const info = await api.login();
    const server = api.connection.origin;
    if (flags.json)
      return print(this, jsonSafe({ userId: info.user_id, userName: info.user_name, server }, 0));
    print(this, `${terminalSafe(String(info.user_name))} (user ${String(info.user_id)}) on ${server}`);
  });

  program
    .command('logout')
    .description('forget the saved credentials (delete the client profile)')
    .action(async function (this: Command) {
      const path = profilePath();
      const existed = Object.keys(await readProfile()).length > 0;
      await rm(path, { force: true });
      print(
        this,
        existed
          ? `removed ${path}; log in again with \`openfarm login --server URL\``
          : `no profile at ${path}; nothing to forget`,
      );
    });

  program
    .command('config')
    .description('show the client settings')
    .command('show')
    .description('show where the client connects and where each setting comes from')
    .option('--json', 'print JSON')
    .action(async function (this: Command, flags: { json?: boolean }) {
      const profile = await readProfile();
      const from = (env: string, value: unknown) =>
        process.env[env] ? `$${env}` : value !== undefined ? 'profile' : undefined;
      const settings = {
        profile: profilePath(),
        server: process.env[URL_ENV] || profile.server,
        serverFrom: from(URL_ENV, profile.server),
        accessId: process.env[ACCESS_ID_ENV] || profile.accessId,
        accessIdFrom: from(ACCESS_ID_ENV, profile.accessId),
        accessKey: masked(process.env[ACCESS_KEY_ENV] || profile.accessKey),
        accessKeyFrom: from(ACCESS_KEY_ENV, profile.accessKey),
        platform: process.env[PLATFORM_ENV] || profile.platform,
        platformFrom: from(PLATFORM_ENV, profile.platform),
      };
      if (flags.json) return print(this, jsonSafe(settings));
      const row = (name: string, value: unknown, source: string | undefined) =>
        `${name.padEnd(10)} ${value === undefined ? '(not set)' : terminalSafe(String(value))}${source ? `  (${source})` : ''}`;
      print(
        this,
        [
          `profile    ${settings.profile}`,
          row('server', settings.server, settings.serverFrom),
          row('access id', settings.accessId, settings.accessIdFrom),
          row('access key', settings.accessKey, settings.accessKeyFrom),
          row('platform', settings.platform, settings.platformFrom),
        ].join('\n') + (settings.server === undefined ? '\nconnect with `openfarm login --server URL`' : ''),
      );
    });

  const projects = program.command('projects').description('list, add or remove the account’s projects');
  clientCommand(projects, 'list', 'list the projects of the account (the default)', {
    isDefault: true,
  }).action(async function (this: Command, flags: ConnectionFlags) {
    const api = await connectClient(flags);
    const list = (await api.tag.getList(0)).projectNameList;
    if (flags.json) return print(this, jsonSafe(list));
    print(
      this,
      table(
        ['ID', 'NAME'],
        list.map((p) => [p.projectId, p.projectName]),
      ),
    );
  });
  clientCommand(projects, 'add <name>', 'add a project').action(async function (
    this: Command,
    name: string,
    flags: ConnectionFlags,
  ) {
    const api = await connectClient(flags);
    await api.tag.addLabel(name);
    if (flags.json) print(this, jsonSafe({ added: name }, 0));
    else
      print(
        this,
        `project ${terminalSafe(name)} added; submit into it with \`--project ${terminalSafe(name)}\``,
      );
  });
  clientCommand(projects, 'remove <name>', 'remove a project').action(async function (
    this: Command,
    name: string,
    flags: ConnectionFlags,
  ) {
    const api = await connectClient(flags);
    await api.tag.deleteLabel(name);
    if (flags.json) print(this, jsonSafe({ removed: name }, 0));
    else print(this, `project ${terminalSafe(name)} removed`);
  });
}
