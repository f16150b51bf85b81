/**
 * @module ingest/outlook/pst
 * Reads a PST or OST with pst-extractor, streaming: one folder at a time, one item at a time
 * (folder objects are loaded when visited, item bytes are built when the consumer asks for the next
 * item, nothing is collected). pst-extractor reads by file descriptor at positions, never the whole
 * file (see pst-internals.ts for that and for the workarounds this reader relies on).
 *
 * Names: `<folder path>/#N`, N = the item's 1-based position in its folder's contents table.
 * The folder path starts below the IPM subtree, the folder Outlook shows as the mailbox top ("Top of
 * Personal Folders" in a PST, "Root - Mailbox/IPM_SUBTREE" in an OST), found through the message
 * store's PR_IPM_SUBTREE_ENTRYID: `Inbox/#3`, `lokay-m/MLOKAY (Non-Privileged)/Personal/#12`; items
 * in the IPM subtree folder itself are `#N`. Folders outside it (Outlook's hidden folders: "Finder",
 * "Common Views", "Root - Public"…) are named from the root with a leading `~`:
 * `~/Root - Mailbox/Common Views/#1`. In folder names `%`, `/` and `!` are written %25, %2F, %21,
 * because `/` separates folders and `!` separates container levels in a locator.
 * Search folders are skipped: their contents are links to items stored in other folders.
 *
 * Items: mail classes (outlook-item.ts isMailClass) → FoundMessage `origin: 'synthesized'`;
 * others → NonMailItem with the message class. A folder, table or item that cannot be read →
 * EntryProblem 'pst-corrupt' with its name, and the walk goes on with the next one. A file whose
 * header or root cannot be read (truncated, not a PST, encrypted) → one EntryProblem named ''.
 */
import { describe } from '../../core/errors.ts';
import type { MailboxItem, ReaderContext } from '../types.ts';
import { isMailClass } from './outlook-item.ts';
import {
  contentNodeIds, loadNode, openGuardedPst, PSTFolder, PSTMessage, props, quietly, subfolderNodeIds,
  type GuardedPst, type PSTFileT, type PSTFolderT,
} from './pst-internals.ts';
import { pstMessageToItem } from './pst-item.ts';
import { toMime } from './to-mime.ts';

/**
 * Reads allowed (each a positioned read of a few bytes to a block) to open the file, to list one
 * folder, and to read one item. Measured: at most 34k reads for an enron.pst item (one with a
 * large attachment, ~8 reads per 8 KiB block), 4k for the OST items. The budgets only exist to stop
 * a cyclic structure from looping forever (20M reads ≈ 20-40 s), so they are generous: an item
 * would need gigabytes of attachments to reach them.
 */
export interface PstReadBudgets {
  open: number;
  folder: number;
  item: number;
}

export const DEFAULT_PST_BUDGETS: Readonly<PstReadBudgets> = Object.freeze({ open: 5_000_000, folder: 5_000_000, item: 20_000_000 });
/** Rows in one folder table; above the count any real mailbox folder reaches. */
const MAX_ROWS = 10_000_000;

const PR_IPM_SUBTREE_ENTRYID = 0x35e0;
const ROOT_FOLDER_NID = 0x122;
/** Names of the IPM subtree, for files whose message store lacks PR_IPM_SUBTREE_ENTRYID. */
const IPM_NAMES = new Set(['top of personal folders', 'top of outlook data file', 'top of information store', 'ipm_subtree']);

function escapeName(name: string): string {
  return name.replace(/[%/!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** NID of the IPM subtree: the last 4 bytes of PR_IPM_SUBTREE_ENTRYID (flags, provider UID, NID). */
function ipmSubtreeNid(file: PSTFileT): number | null {
  try {
    const entryId = props(file.getMessageStore()).getBinaryItem(PR_IPM_SUBTREE_ENTRYID);
    if (entryId && entryId.length >= 24) return entryId.readUInt32LE(20);
  } catch {
    // fall back to names
  }
  return null;
}

interface PendingFolder {
  nid: number;
  parentSegments: string[];
  parentInside: boolean;
  depth: number;
}

function corrupt(name: string, reason: string): MailboxItem {
  return { problem: true, name, kind: 'error', code: 'pst-corrupt', reason };
}

/** `budgets` is for tests; callers use the defaults. */
export async function* readPst(path: string, ctx: ReaderContext, budgets: PstReadBudgets = DEFAULT_PST_BUDGETS): AsyncIterable<MailboxItem> {
  let g: GuardedPst;
  try {
    g = openGuardedPst(path, budgets.open);
  } catch (e) {
    yield corrupt('', `cannot open PST: ${describe(e)}`);
    return;
  }
  try {
    yield* walk(g, ctx, budgets);
  } finally {
    g.file.close();
  }
}

async function* walk(g: GuardedPst, ctx: ReaderContext, budgets: PstReadBudgets): AsyncGenerator<MailboxItem> {
  let ipmNid: number | null;
  try {
    g.resetBudget(budgets.open);
    ipmNid = ipmSubtreeNid(g.file);
    g.file.getRootFolder(); // fails early (with one problem) when the root cannot be read
  } catch (e) {
    yield corrupt('', `cannot read the PST root folder: ${describe(e)}`);
    return;
  }

  const stack: PendingFolder[] = [{ nid: ROOT_FOLDER_NID, parentSegments: [], parentInside: false, depth: 0 }];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pending = stack.pop() as PendingFolder;
    if (seen.has(pending.nid)) continue; // a folder listed twice (hostile hierarchy)
    seen.add(pending.nid);

    // Load the folder and work out its name.
    let folder: PSTFolderT;
    g.resetBudget(budgets.folder);
    const guessName = [...(pending.parentInside ? [] : ['~']), ...pending.parentSegments, `<folder ${pending.nid}>`].join('/');
    try {
      const obj = quietly(() => loadNode(g.file, pending.nid)).value;
      if (!(obj instanceof PSTFolder)) throw new Error(`node ${pending.nid} is not a folder`);
      folder = obj;
    } catch (e) {
      yield corrupt(guessName, `folder not readable: ${describe(e)}`);
      continue;
    }
    let segments: string[];
    let inside: boolean;
    const isRoot = pending.nid === ROOT_FOLDER_NID;
    let displayName = '';
    try {
      displayName = folder.displayName;
    } catch {
      displayName = `<folder ${pending.nid}>`;
    }
    if (pending.nid === ipmNid || (ipmNid === null && pending.depth <= 2 && IPM_NAMES.has(displayName.toLowerCase()))) {
      segments = [];
      inside = true;
    } else {
      segments = isRoot ? [] : [...pending.parentSegments, escapeName(displayName)];
      inside = pending.parentInside;
    }
    const folderPath = [...(inside ? [] : ['~']), ...segments].join('/');
    const itemName = (n: number) => (folderPath === '' ? `#${n}` : `${folderPath}/#${n}`);

    // Its items, one at a time.
    let nids: number[] = [];
    try {
      nids = quietly(() => contentNodeIds(folder, MAX_ROWS)).value;
    } catch (e) {
      yield corrupt(folderPath, `folder contents not readable: ${describe(e)}`);
    }
    for (let i = 0; i < nids.length; i++) {
      g.resetBudget(budgets.item);
      yield readItem(g, nids[i], itemName(i + 1), folderPath, ctx);
    }
    nids = [];

    // Then its subfolders, depth first, in hierarchy-table order.
    let children: number[] = [];
    g.resetBudget(budgets.folder);
    try {
      children = quietly(() => subfolderNodeIds(folder, MAX_ROWS)).value;
    } catch (e) {
      yield corrupt(folderPath, `subfolders not readable: ${describe(e)}`);
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ nid: children[i], parentSegments: segments, parentInside: inside, depth: pending.depth + 1 });
    }
  }
}

function readItem(g: GuardedPst, nid: number, name: string, folderPath: string, ctx: ReaderContext): MailboxItem {
  let logged: string[] = [];
  try {
    const r = quietly((): MailboxItem => {
      const obj = loadNode(g.file, nid);
      if (!(obj instanceof PSTMessage)) return { nonMail: true, name, what: obj instanceof PSTFolder ? 'folder' : 'unknown' };
      const messageClass = obj.messageClass;
      if (!isMailClass(messageClass)) return { nonMail: true, name, what: messageClass };
      const item = pstMessageToItem(obj, { maxBytes: ctx.limits.maxMessageBytes, depthLeft: ctx.limits.maxEmbeddedDepth });
      const bytes = toMime(item, { source: 'pst', maxEmbeddedDepth: ctx.limits.maxEmbeddedDepth, maxBytes: ctx.limits.maxMessageBytes });
      if (bytes.length > ctx.limits.maxMessageBytes) {
        return { problem: true, name, kind: 'skip', code: 'message-too-large', reason: `rebuilt message is ${bytes.length} bytes, limit ${ctx.limits.maxMessageBytes}` };
      }
      return { name, bytes, origin: 'synthesized', meta: { folder: folderPath, messageClass, nid } };
    });
    logged = r.logged;
    const item = r.value;
    // What pst-extractor complained about but read past (a lost recipient table…) stays with the message.
    const ignored = logged.filter((l) => !/unknown message type/.test(l));
    if (ignored.length > 0 && 'bytes' in item && item.meta) item.meta.pstWarnings = ignored.join(' | ').slice(0, 1000);
    return item;
  } catch (e) {
    return corrupt(name, `item not readable: ${describe(e)}`);
  }
}
