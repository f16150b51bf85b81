/**
 * @module ingest/outlook/pst-internals
 * Everything trove needs from pst-extractor beyond its documented API, in one place, with why.
 *
 * 1. How the file is read: `new PSTFile(path)` opens a file descriptor and reads with
 *    `fs.readSync(fd, buf, 0, len, position)` at the positions it needs (it never loads the whole
 *    file; a `Buffer` constructor exists but is not used here). Short reads are not checked: past
 *    the end of a truncated file it silently works on zero-filled buffers. `openGuardedPst` wraps
 *    `readSync` (in a per-file subclass, so the library's prototype is left alone) to throw on any
 *    read that runs past the end of the file, and to count reads against a budget that the caller
 *    resets per folder and per item: a cyclic B-tree in a hostile file makes pst-extractor's
 *    `findBtreeItem` loop forever, and the budget turns that into an error.
 *
 * 2. Listing a folder's rows: pst-extractor reads table-context rows assuming 8176-byte blocks with
 *    padding. The row matrix of a 2013-format OST (zlib-compressed blocks, wVer 36) has no padding,
 *    so every row after the first block is misread and `getNextChild()` stops early (the "United
 *    States holidays" calendar: 24 of 160 items), and on a row it cannot load it logs and skips
 *    silently. `tableRowIds` instead reads the table's row index (a BTH of row ID → row number:
 *    the row IDs are the child node IDs) and orders by row number, which is the contents order.
 *
 * 3. pst-extractor keeps its named-property map in a static field shared by all PSTFile instances;
 *    trove uses no named properties for mail, so interleaved reads of two files are safe here.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import pstExtractor from 'pst-extractor';

const require = createRequire(import.meta.url);
// `long` is pst-extractor's own dependency: resolve it from there rather than declaring it.
const Long = createRequire(require.resolve('pst-extractor'))('long') as { fromNumber(n: number): unknown };
// PSTUtil (object loading by node ID) is not re-exported by the package index.
const { PSTUtil } = createRequire(require.resolve('pst-extractor'))('./PSTUtil.class') as {
  PSTUtil: { detectAndLoadPSTObject(file: unknown, nid: unknown): unknown };
};

export const { PSTFile, PSTFolder, PSTMessage, PSTAttachment } = pstExtractor;
export type PSTFileT = InstanceType<typeof PSTFile>;
export type PSTFolderT = InstanceType<typeof PSTFolder>;
export type PSTMessageT = InstanceType<typeof PSTMessage>;
export type PSTAttachmentT = InstanceType<typeof PSTAttachment>;

export class PstReadBudgetError extends Error {}

export interface GuardedPst {
  file: PSTFileT;
  size: number;
  /** Allows `reads` more reads of the file before PstReadBudgetError. */
  resetBudget(reads: number): void;
  /** Reads left in the current budget. */
  remaining(): number;
}

/** Opens a PST/OST with end-of-file and read-budget checks on every read (see module doc). */
export function openGuardedPst(path: string, initialBudget: number): GuardedPst {
  const size = statSync(path).size;
  let budget = initialBudget;
  const Base = PSTFile as unknown as new (path: string) => { readSync(b: Buffer, len: number, pos: number): number };
  class Guarded extends Base {
    override readSync(buffer: Buffer, length: number, position: number): number {
      if (--budget < 0) throw new PstReadBudgetError('read budget exhausted (cyclic or corrupt B-tree?)');
      if (!Number.isSafeInteger(position) || position < 0 || position + length > size) {
        throw new Error(`read of ${length} bytes at offset ${position} past the end of the ${size}-byte file (truncated?)`);
      }
      return super.readSync(buffer, length, position);
    }
  }
  const file = new Guarded(path) as unknown as PSTFileT;
  return { file, size, resetBudget: (n) => { budget = n; }, remaining: () => budget };
}

/** Node ID of a loaded folder/message (its descriptor identifier). */
export function nodeId(obj: PSTFolderT | PSTMessageT): number {
  return obj.descriptorNodeId.toNumber();
}

/** Search folders (NID type 0x03) hold links to items stored elsewhere and have no hierarchy table. */
export function isSearchFolder(folder: PSTFolderT): boolean {
  return (nodeId(folder) & 0x1f) === 0x03;
}

interface NodeInfoLike {
  length(): number;
  seekAndReadLong(offset: unknown, len: number): { toNumber(): number };
}

interface Table7CLike {
  hidRoot: number;
  numberOfIndexLevels: number;
  sizeOfItemKey: number;
  sizeOfItemValue: number;
  getNodeInfo(hnid: number): NodeInfoLike | null;
}

interface FolderInternals {
  initEmailsTable(): void;
  initSubfoldersTable(): void;
  emailsTable: Table7CLike | null;
  fallbackEmailsTable: { descriptorIdentifier: number }[] | null;
  subfoldersTable: Table7CLike | null;
}

/** Row IDs of a table context in row order, from its row-index BTH (handles index levels). */
function tableRowIds(table: Table7CLike, maxRows: number): number[] {
  const pairs: [number, number][] = [];
  const keySize = table.sizeOfItemKey;
  const valueSize = table.sizeOfItemValue;
  const visit = (hid: number, level: number) => {
    const node = table.getNodeInfo(hid);
    if (!node) throw new Error(`row index node 0x${hid.toString(16)} missing`);
    const recSize = level > 0 ? keySize + 4 : keySize + valueSize;
    const count = Math.trunc(node.length() / recSize);
    for (let i = 0; i < count; i++) {
      const key = node.seekAndReadLong(Long.fromNumber(i * recSize), keySize).toNumber();
      const value = node.seekAndReadLong(Long.fromNumber(i * recSize + keySize), level > 0 ? 4 : valueSize).toNumber();
      if (level > 0) visit(value, level - 1);
      else {
        pairs.push([value, key]);
        if (pairs.length > maxRows) throw new Error(`table has more than ${maxRows} rows`);
      }
    }
  };
  if (table.hidRoot !== 0) {
    if (table.numberOfIndexLevels > 8) throw new Error(`row index with ${table.numberOfIndexLevels} levels`);
    visit(table.hidRoot, table.numberOfIndexLevels);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return pairs.map((p) => p[1]);
}

/** Node IDs of the folder's contents (messages and other items), in contents-table order. */
export function contentNodeIds(folder: PSTFolderT, maxRows: number): number[] {
  if (isSearchFolder(folder)) return [];
  const f = folder as unknown as FolderInternals;
  f.initEmailsTable();
  if (f.emailsTable) return tableRowIds(f.emailsTable, maxRows);
  // pst-extractor falls back to the descriptor tree's children when the contents table is unreadable.
  return (f.fallbackEmailsTable ?? []).map((n) => n.descriptorIdentifier);
}

/** Node IDs of the folder's subfolders, in hierarchy-table order. */
export function subfolderNodeIds(folder: PSTFolderT, maxRows: number): number[] {
  if (isSearchFolder(folder) || !folder.hasSubfolders) return [];
  const f = folder as unknown as FolderInternals;
  f.initSubfoldersTable();
  return f.subfoldersTable ? tableRowIds(f.subfoldersTable, maxRows) : [];
}

/** Loads the folder or message with this node ID. */
export function loadNode(file: PSTFileT, nid: number): unknown {
  return PSTUtil.detectAndLoadPSTObject(file, Long.fromNumber(nid));
}

interface ObjectInternals {
  getBinaryItem(id: number): Buffer | null;
  getStringItem(id: number): string;
  getIntItem(id: number): number;
  getBooleanItem(id: number): boolean;
}

/** Protected property getters of PSTObject, for properties pst-extractor has no getter for. */
export function props(obj: object): ObjectInternals {
  return obj as unknown as ObjectInternals;
}

/**
 * Runs `fn` with console.log/error/warn captured. pst-extractor reports what it could not read
 * (a recipient table, an attachment, an unknown message class) on the console and carries on; on
 * a hostile file that floods the CLI's output. `fn` is synchronous, so nothing else can log while
 * the console is swapped, and it is restored even when `fn` throws. The captured lines are
 * returned so the caller can record them with the item.
 */
export function quietly<T>(fn: () => T): { value: T; logged: string[] } {
  const logged: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn };
  const capture = (...args: unknown[]) => {
    if (logged.length < 20) logged.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ').replace(/\s+/g, ' ').trim());
  };
  console.log = capture;
  console.error = capture;
  console.warn = capture;
  try {
    return { value: fn(), logged };
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    console.warn = saved.warn;
  }
}
