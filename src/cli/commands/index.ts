/**
 * @module cli/commands
 * The command list, registered once.
 */
import type { Command } from 'commander';
import { registerAnalyze } from './analyze.ts';
import { registerDemo } from './demo.ts';
import { registerExport } from './export.ts';
import { registerIngest } from './ingest.ts';
import { registerForensics } from './forensics.ts';
import { registerLookalikes } from './lookalikes.ts';
import { registerKeys } from './keys.ts';
import { registerProvenance } from './provenance.ts';
import { registerSearch } from './search.ts';
import { registerServe } from './serve.ts';
import { registerShow } from './show.ts';
import { registerStatus } from './status.ts';
import { registerUsers } from './users.ts';

export function registerCommands(program: Command): void {
  registerIngest(program);
  registerStatus(program);
  registerKeys(program);
  registerAnalyze(program);
  registerExport(program);
  registerSearch(program);
  registerShow(program);
  registerDemo(program);
  registerServe(program);
  registerForensics(program);
  registerLookalikes(program);
  registerProvenance(program);
  registerUsers(program);
}
