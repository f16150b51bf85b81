#!/usr/bin/env node
// Entry point for `npx trove`. Node 24 runs the TypeScript sources directly (type stripping),
// so there is no build step between a checkout and a working CLI.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
