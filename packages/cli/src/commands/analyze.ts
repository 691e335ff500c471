import type { Command } from 'commander';

export function registerAnalyzeCommands(_program: Command): void {}
