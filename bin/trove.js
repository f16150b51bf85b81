#!/usr/bin/env -S node --max-semi-space-size=4 --expose-gc
// Entry point for `npx trove`. Node 24 runs the TypeScript sources directly (type stripping),
// so there is no build step between a checkout and a working CLI.
//
// --max-semi-space-size=4: ingest makes much short-lived garbage, and V8's default young
// generation (growing to 16+ MB per semi-space and kept) cost ~100 MB of peak RSS for no speed
// (measured on all of ../shared/corpora: 483 MB → 369 MB at the same msg/s).
// --expose-gc: ingest collects garbage between its case-level passes (threads, lookalikes,
// forensics), which took the peak on all corpora from 509 MB to 417 MB.
//
// The compile cache (Node's own, in the OS's temp folder) keeps the compiled modules between
// runs: `trove --version` 0.29 s -> 0.14 s, `trove status` 0.36 s -> 0.21 s; worker threads
// inherit it. The import comes after it, so it is dynamic.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');

process.exitCode = await main(process.argv.slice(2));
