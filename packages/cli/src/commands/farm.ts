import type { Command } from 'commander';

export function registerFarmCommands(_program: Command): void {}
