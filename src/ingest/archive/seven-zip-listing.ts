/**
 * @module ingest/archive/seven-zip-listing
 * Parses the technical listing 7-Zip prints for `l -slt`, one line at a time (an archive may
 * list millions of members; lines are never all kept).
 *
 *   --                     archive properties follow
 *   Path = x.7z
 *   ----------             members follow, "Key = Value" blocks separated by blank lines
 *   Path = a/b.txt
 *   Size = 6
 *   ...
 * 7-Zip escapes control characters in names on its console, so a name cannot inject lines.
 */

export interface ListedItem {
  /** Index in listing order: the order 7-Zip also extracts in. */
  index: number;
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number | null;
  packedSize: number | null;
  encrypted: boolean;
  /** 7z solid block number; null for non-7z or empty files. */
  block: number | null;
  method: string;
  linkTarget: string | null;
}

export class ListingParser {
  readonly archive = new Map<string, string>();
  readonly items: ListedItem[] = [];
  /** Lines that are neither properties nor items: 7-Zip's own warnings and errors. */
  readonly notes: string[] = [];
  #section: 'preamble' | 'archive' | 'items' = 'preamble';
  #cur: Map<string, string> | null = null;
  /** Members seen, including those past `maxItems` that were counted but not kept. */
  count = 0;
  readonly #maxItems: number;

  /**
   * `maxItems`: keep at most this many items. 7-Zip cannot be stopped from a print callback
   * (emscripten turns the exception into an EIO that 7-Zip ignores), so the rest is counted.
   */
  constructor(maxItems = Infinity) {
    this.#maxItems = maxItems;
  }

  /** True once the member section was reached, i.e. 7-Zip could open the archive. */
  get opened(): boolean {
    return this.#section === 'items';
  }

  line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (this.#section === 'preamble') {
      if (line === '--') this.#section = 'archive';
      return;
    }
    if (this.#section === 'archive') {
      if (line === '----------') {
        this.#section = 'items';
        return;
      }
      const kv = splitKv(line);
      if (kv) this.archive.set(kv[0], kv[1]);
      else if (line.trim()) this.notes.push(line.trim());
      return;
    }
    if (line === '') {
      this.#finishItem();
      return;
    }
    const kv = splitKv(line);
    if (!kv) {
      this.#finishItem();
      if (line.trim()) this.notes.push(line.trim());
      return;
    }
    (this.#cur ??= new Map()).set(kv[0], kv[1]);
  }

  /** Call after the run: flushes a last item not followed by a blank line. */
  end(): void {
    this.#finishItem();
  }

  #finishItem(): void {
    const m = this.#cur;
    this.#cur = null;
    if (!m || !m.has('Path')) return;
    if (this.count++ >= this.#maxItems) return;
    this.items.push(toItem(m, this.items.length));
  }
}

function splitKv(line: string): [string, string] | null {
  const i = line.indexOf(' = ');
  if (i <= 0) return null;
  const key = line.slice(0, i);
  if (!/^[A-Za-z][A-Za-z0-9 ]*$/.test(key)) return null;
  return [key, line.slice(i + 3)];
}

const UNIX_MODE = /^[-dlcbps][-rwxsStT]{9}$/;

function toItem(m: Map<string, string>, index: number): ListedItem {
  const num = (k: string) => {
    const v = m.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  };
  const attrs = (m.get('Attributes') ?? '').trim();
  const unix = attrs.split(/\s+/).find((t) => UNIX_MODE.test(t)) ?? '';
  const winDir = /^[A-Z]*D[A-Z]*$/.test(attrs.split(/\s+/)[0] ?? '') && !UNIX_MODE.test(attrs.split(/\s+/)[0] ?? '');
  const symlink = m.get('Symbolic Link') || null;
  const hardlink = m.get('Hard Link') || null;
  let type: ListedItem['type'] = 'file';
  if (m.get('Folder') === '+' || unix.startsWith('d') || (!unix && winDir)) type = 'directory';
  else if (symlink || unix.startsWith('l')) type = 'symlink';
  else if (hardlink || (unix && !unix.startsWith('-'))) type = 'other';
  return {
    index,
    path: m.get('Path') ?? '',
    type,
    size: num('Size'),
    packedSize: num('Packed Size'),
    encrypted: m.get('Encrypted') === '+',
    block: num('Block'),
    method: m.get('Method') ?? '',
    linkTarget: symlink ?? hardlink,
  };
}

/**
 * Largest decoder memory a method string asks for, in bytes: LZMA/LZMA2 dictionaries
 * ("LZMA2:24" = 2^24, "LZMA:3m") and PPMd model sizes ("PPMD:o32:mem192m"). A hostile
 * header can ask for gigabytes, and the WebAssembly heap would grow to match.
 */
export function decoderMemory(method: string): number {
  let max = 0;
  for (const part of method.split(/\s+/)) {
    const [name, ...params] = part.split(':');
    const upper = name.toUpperCase();
    for (const p of params) {
      let m: RegExpMatchArray | null;
      if ((upper === 'LZMA' || upper === 'LZMA2') && (m = p.match(/^(\d+)([kmgb]?)$/i))) {
        max = Math.max(max, m[2] ? Number(m[1]) * unit(m[2]) : 2 ** Number(m[1]));
      } else if (upper === 'PPMD' && (m = p.match(/^mem(\d+)([kmgb]?)$/i))) {
        max = Math.max(max, m[2] ? Number(m[1]) * unit(m[2]) : 2 ** Number(m[1]));
      }
    }
  }
  return max;
}

function unit(s: string): number {
  switch (s.toLowerCase()) {
    case 'k': return 1024;
    case 'm': return 1024 ** 2;
    case 'g': return 1024 ** 3;
    default: return 1;
  }
}
