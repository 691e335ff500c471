/** `openfarm hardware list|add|disable|enable`: the hardware configurations clients choose from. */
import { addHardwareConfig, listHardwareConfigs, setHardwareConfigEnabled } from '@openfarm/server';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, terminalSafe } from '../output.js';
import { outputOf, type StoreOptions, withStore, withStoreOptions } from './admin-store.js';

function positiveInt(name: string) {
  return (text: string): number => {
    if (!/^\d{1,9}$/.test(text) || Number(text) === 0)
      throw new CliError(
        'PARAMETER_INVALID',
        `${name} expects a positive integer, not ${JSON.stringify(text)}`,
      );
    return Number(text);
  };
}

function list(text: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

export function registerHardwareCommands(program: Command): void {
  const hardware = program
    .command('hardware')
    .description('manage hardware configurations (CPU/GPU models, RAM)');

  withStoreOptions(hardware.command('list').description('list hardware configurations'))
    .option('--json', 'print a JSON array')
    .action(async (options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const rows = await withStore(options, (store) => listHardwareConfigs(store.db));
      if (options.json === true) {
        out(
          `${jsonSafe(
            rows.map((h) => ({
              id: h.id,
              type: h.type,
              model: h.model,
              ram: h.ram,
              gpuNum: h.gpu_num,
              platform: h.platform,
              status: h.status,
              notSupportCgId: JSON.parse(h.not_support_cg_id) as number[],
              notSupportCode: JSON.parse(h.not_support_code) as string[],
              notSupportPluginList: JSON.parse(h.not_support_plugin_list) as string[],
            })),
            0,
          )}\n`,
        );
        return;
      }
      const head = `${'ID'.padEnd(5)} ${'KIND'.padEnd(4)} ${'MODEL'.padEnd(10)} ${'RAM'.padEnd(6)} ${'GPUS'.padEnd(6)} ${'PLATFORM'.padEnd(8)} STATUS`;
      const lines = rows.map(
        (h) =>
          `${String(h.id).padEnd(5)} ${(h.type === 2 ? 'GPU' : 'CPU').padEnd(4)} ${terminalSafe(h.model).padEnd(10)} ${terminalSafe(h.ram).padEnd(6)} ${terminalSafe(h.gpu_num ?? '-').padEnd(6)} ${String(h.platform).padEnd(8)} ${h.status === 1 ? 'enabled' : 'disabled'}`,
      );
      out(`${head}\n${lines.join('\n')}\n`);
    });

  withStoreOptions(hardware.command('add').description('add a hardware configuration'))
    .requiredOption('--model <name>', 'model name, e.g. Default, 28C, 2080Ti')
    .requiredOption('--ram <size>', 'node memory, e.g. 64GB')
    .requiredOption('--platform <n>', 'platform (render region) number', positiveInt('--platform'))
    .option('--gpu <count>', 'GPUs per node (makes it a GPU configuration), e.g. 2', positiveInt('--gpu'))
    .option('--not-support-cg-id <ids>', 'cg ids it cannot render (comma separated, repeatable)', list)
    .option('--not-support-code <codes>', 'tips codes that rule it out (comma separated, repeatable)', list)
    .option(
      '--not-support-plugin <regex>',
      'plugin patterns it cannot render (repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--json', 'print the new configuration as JSON')
    .action(
      async (
        options: StoreOptions & {
          model: string;
          ram: string;
          platform: number;
          gpu?: number;
          notSupportCgId?: string[];
          notSupportCode?: string[];
          notSupportPlugin?: string[];
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const out = outputOf(cmd);
        const cgIds = (options.notSupportCgId ?? []).map((id) => positiveInt('--not-support-cg-id')(id));
        const row = await withStore(options, (store) =>
          addHardwareConfig(store.db, {
            type: options.gpu !== undefined ? 2 : 1,
            model: options.model,
            ram: options.ram,
            gpuNum: options.gpu !== undefined ? `${options.gpu}*GPU` : null,
            platform: options.platform,
            notSupportCgId: cgIds,
            notSupportCode: options.notSupportCode ?? [],
            notSupportPluginList: options.notSupportPlugin ?? [],
          }),
        );
        out(
          options.json === true
            ? `${jsonSafe({ id: row.id, model: row.model, ram: row.ram, gpuNum: row.gpu_num, platform: row.platform }, 0)}\n`
            : `added hardware configuration ${row.id}\n`,
        );
      },
    );

  for (const [name, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    withStoreOptions(
      hardware
        .command(`${name} <id>`)
        .description(
          enabled
            ? 'offer a disabled configuration again'
            : 'stop offering a configuration (tasks cannot choose it)',
        ),
    ).action(async (id: string, options: StoreOptions, cmd: Command) => {
      const out = outputOf(cmd);
      const n = positiveInt('id')(id);
      await withStore(options, (store) => setHardwareConfigEnabled(store.db, n, enabled));
      out(`${enabled ? 'enabled' : 'disabled'} hardware configuration ${n}\n`);
    });
  }
}
