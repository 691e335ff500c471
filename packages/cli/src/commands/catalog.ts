/**
 * What the farm renders and what its analysis tips mean:
 * `openfarm software [NAME]` and `openfarm tips CODE`.
 */
import { TIP_CODE_TABLE, tipCodeEntry } from '@openfarm/protocol';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, print, terminalSafe } from '../output.js';
import { table } from '../table.js';
import { type ConnectionFlags, clientCommand, connectClient } from './tasks.js';

export function registerCatalogCommands(program: Command): void {
  clientCommand(
    program,
    'software [name]',
    'list the software the farm renders, or one’s versions and plugins',
  ).action(async function (this: Command, name: string | undefined, flags: ConnectionFlags) {
    const api = await connectClient(flags);
    const list = (await api.query.supportedSoftware()).renderInfoList;
    if (name === undefined) {
      if (flags.json) return print(this, jsonSafe(list));
      return print(
        this,
        `${table(
          ['SOFTWARE', 'CG ID', 'SCENE FILES'],
          list.map((s) => [s.cgName, s.cgId, s.cgType?.split(';').join(' ')]),
        )}\nversions and plugins of one: openfarm software NAME`,
      );
    }
    const software = list.find((s) => s.cgName.toLowerCase() === name.toLowerCase());
    if (software === undefined)
      throw new CliError(
        'RESOURCE_NOT_FOUND',
        `the farm does not render ${JSON.stringify(name)}; it renders ${list.map((s) => s.cgName).join(', ') || 'nothing yet'} (\`openfarm software\`)`,
      );
    const detail = await api.query.supportedPlugin(software.cgId);
    if (flags.json) return print(this, jsonSafe({ ...software, ...detail }));
    const versions = detail.cgVersion.map((v) => v.cgVersion).join(', ') || '(none)';
    const plugins = detail.cgPlugin.flatMap((p) =>
      p.pluginVersions.map((v) => [p.pluginName, v.pluginVersion]),
    );
    print(
      this,
      `${terminalSafe(software.cgName)} (cg id ${software.cgId})\nversions: ${terminalSafe(versions)}` +
        (plugins.length > 0 ? `\n\n${table(['PLUGIN', 'VERSION'], plugins)}` : '\nplugins: (none)'),
    );
  });

  program
    .command('tips <code>')
    .description('explain an analysis tips code (tips.json, `openfarm check`)')
    .option('--json', 'print JSON')
    .action(function (this: Command, code: string, flags: { json?: boolean }) {
      const entry = tipCodeEntry(code.trim());
      if (entry === undefined)
        throw new CliError(
          'RESOURCE_NOT_FOUND',
          `no tips code ${JSON.stringify(code)}; known codes: ${TIP_CODE_TABLE.map((t) => t.code).join(', ')}`,
        );
      if (flags.json) return print(this, jsonSafe({ ...entry, blocking: entry.type === 1 }));
      print(
        this,
        `${entry.code}: ${entry.en}\n` +
          `kind: ${entry.type === 1 ? 'error (blocks submission)' : 'warning (the job can be submitted)'}` +
          (entry.solutionEn ? `\nfix: ${entry.solutionEn}` : ''),
      );
    });
}
