/**
 * @module cli/commands
 * The command list, registered once.
 */
import type { Command } from 'commander';
import { registerDemo } from './demo.ts';
import { registerExport } from './export.ts';
import { registerIngest } from './ingest.ts';
import { registerShow } from './show.ts';
import { registerStatus } from './status.ts';

export function registerCommands(program: Command): void {
  registerIngest(program);
  registerStatus(program);
  registerExport(program);
  registerShow(program);
  registerDemo(program);
}
