/**
 * @module ingest/archive/seven-zip-engine
 * Runs 7-Zip (7z-wasm: 7-Zip 24.09 compiled to WebAssembly) against one archive on disk.
 *
 * Each archive gets a fresh WebAssembly instance (the compiled module is shared; an instance
 * costs a few ms): 7-Zip keeps global state, and a run that ends in a C++ exception (e.g. a
 * password prompt hitting end of input) leaves the instance unusable.
 *
 * The emscripten file system is locked down by wrapping FS calls:
 *  - /in is the archive's folder (NODEFS): read-only, every mutating call fails with EROFS;
 *  - /out is the scratch folder (NODEFS): files may be created, symlink() is a no-op (a
 *    hostile archive must never plant a link that a later read would follow);
 *  - nothing else may be created anywhere.
 * Output files opened under /out are reported to `onCreate`, writes to `onWrite`, which may
 * drop (return false) or veto (throw) bytes: that is how per-member limits reach inside the
 * synchronous extraction.
 *
 * Caveat: emscripten's quit handler sets process.exitCode on a non-zero 7-Zip exit; `run`
 * restores it, so a bad archive never changes trove's own exit status.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import SevenZipImport from '7z-wasm';
import type { SevenZipModule, SevenZipModuleFactory } from '7z-wasm';

const SevenZip = SevenZipImport as unknown as SevenZipModuleFactory;
const require = createRequire(import.meta.url);
/** The project's lib settings carry no WebAssembly types (they live in lib.dom); the part we use: */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: Promise<object> | null = null;

/** emscripten (WASI) errno values */
export const ERRNO = { EPERM: 63, EROFS: 69, EFBIG: 22, EIO: 29 } as const;

export interface RunResult {
  /** 7-Zip's exit code (0 ok, 1 warning, 2 fatal error, 7 bad command line, 8 out of memory), or null when it threw. */
  code: number | null;
  /** Set when the run ended in an exception rather than an exit code. */
  thrown: unknown;
}

export interface EngineHooks {
  /** Every complete line 7-Zip prints on stdout. Throwing aborts the run. */
  onLine?: (line: string) => void;
  onErrLine?: (line: string) => void;
  /** A file was created under /out (path relative to /out). */
  onCreate?: (rel: string) => void;
  /**
   * Bytes are about to be written to a file under /out: 'write' them, 'drop' them (7-Zip
   * believes they were written), or 'abort' (the write fails with EFBIG and 7-Zip stops).
   */
  onWrite?: (rel: string, n: number) => 'write' | 'drop' | 'abort';
}

interface FsStream { path?: string }
type AnyFn = (...args: unknown[]) => unknown;

export class SevenZipEngine {
  readonly #mod: SevenZipModule;
  readonly #hooks: EngineHooks;
  #dead = false;

  private constructor(mod: SevenZipModule, hooks: EngineHooks) {
    this.#mod = mod;
    this.#hooks = hooks;
  }

  /** `inDir` is mounted read-only at /in, `outDir` (scratch) at /out. */
  static async create(inDir: string, outDir: string, hooks: EngineHooks): Promise<SevenZipEngine> {
    compiled ??= Wasm.compile(readFileSync(require.resolve('7z-wasm/7zz.wasm')));
    const wasm = await compiled;
    const lineTo = (which: 'onLine' | 'onErrLine') => (s: string) => hooks[which]?.(s);
    const mod = await SevenZip({
      print: lineTo('onLine'),
      printErr: lineTo('onErrLine'),
      // End of input: a password prompt fails at once instead of blocking on our stdin.
      stdin: () => null as unknown as number,
      instantiateWasm(imports: object, done: (inst: object, mod: object) => void) {
        void Wasm.instantiate(wasm, imports).then((inst) => done(inst, wasm));
        return {};
      },
    } as never);
    const engine = new SevenZipEngine(mod, hooks);
    const fs = mod.FS;
    fs.mkdir('/in');
    fs.mount(mod.NODEFS, { root: inDir }, '/in');
    fs.mkdir('/out');
    fs.mount(mod.NODEFS, { root: outDir }, '/out');
    fs.chdir('/out');
    engine.#lockDown();
    return engine;
  }

  /** Runs one 7-Zip command synchronously. */
  run(args: string[]): RunResult {
    if (this.#dead) throw new Error('7-Zip engine used after a fatal error');
    const savedExit = process.exitCode;
    try {
      const code = this.#mod.callMain(args) as unknown as number;
      return { code: typeof code === 'number' ? code : 0, thrown: null };
    } catch (e) {
      this.#dead = true;
      return { code: null, thrown: e };
    } finally {
      process.exitCode = savedExit;
    }
  }

  #lockDown(): void {
    const fs = this.#mod.FS as unknown as Record<string, AnyFn> & { cwd(): string; ErrnoError: new (errno: number) => Error };
    const abs = (p: unknown) => posix.normalize(typeof p === 'string' && p.startsWith('/') ? p : posix.join(fs.cwd(), String(p)));
    const inOut = (p: unknown) => {
      const a = abs(p);
      return a === '/out' || a.startsWith('/out/');
    };
    const rel = (p: unknown) => abs(p).slice('/out/'.length);
    const deny = (errno: number) => {
      throw new fs.ErrnoError(errno);
    };
    const wrap = (name: string, f: (orig: AnyFn, args: unknown[]) => unknown) => {
      const orig = fs[name].bind(fs) as AnyFn;
      fs[name] = (...args: unknown[]) => f(orig, args);
    };
    // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND in emscripten's numbering
    const WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000;
    const writes = (flags: unknown) => typeof flags === 'string' ? /[wa+]/.test(flags) : ((flags as number) & WRITE_FLAGS) !== 0;
    wrap('open', (orig, args) => {
      const [p, flags] = args;
      if (!writes(flags)) return orig(...args);
      if (!inOut(p)) return deny(ERRNO.EROFS);
      const stream = orig(...args);
      this.#hooks.onCreate?.(rel(p));
      return stream;
    });
    wrap('write', (orig, args) => {
      const stream = args[0] as FsStream;
      const len = args[3] as number;
      const verdict = stream.path && inOut(stream.path) ? this.#hooks.onWrite?.(rel(stream.path), len) ?? 'write' : 'write';
      if (verdict === 'drop') return len;
      if (verdict === 'abort') return deny(ERRNO.EFBIG);
      return orig(...args);
    });
    for (const name of ['mkdir', 'rmdir', 'unlink', 'truncate', 'chmod', 'utime', 'mknod']) {
      wrap(name, (orig, args) => (inOut(args[0]) ? orig(...args) : deny(ERRNO.EROFS)));
    }
    wrap('rename', (orig, args) => (inOut(args[0]) && inOut(args[1]) ? orig(...args) : deny(ERRNO.EROFS)));
    // Links are reported from the listing; on disk they would only be a way out of /out.
    wrap('symlink', () => undefined);
  }
}

