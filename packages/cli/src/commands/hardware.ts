import type { Command } from 'commander';

export function registerHardwareCommands(_program: Command): void {}
