/**
 * @module bench/lib/scale
 * A deterministic scaled corpus: the real Enron maildir expanded N times, so that growth (cost per
 * message, peak RSS, search latency) can be measured at 1×, 4×, 16× (and on request up to a 9 GB
 * dump). Copy 0 is the corpus byte for byte; copy k ≥ 1 of every message is varied the way
 * independent mailboxes differ, so no two copies are duplicates of each other:
 *   - Message-ID: `.v{k}` inserted before the `@` (unique per copy; In-Reply-To/References too,
 *     so threads stay threads within a copy);
 *   - Date: moved by k × 52 weeks plus a per-message number of minutes (weekday kept consistent
 *     with the date; the zone offset is kept);
 *   - names: enron.com addresses `first.last@` and the matching X-From/X-To display names are
 *     replaced by names drawn from fixed lists by a hash of (name, k);
 *   - body: a reference line with a per-copy token (new vocabulary for the index);
 *   - attachments: one message in 16 becomes multipart/mixed with a generated CSV attachment.
 * The same input and factor always give the same bytes (hashes, not random numbers).
 *
 * Packings, as dumps arrive: `maildir` (s{k}/<user>/<folder>/cur/<N>, also what notmuch and mu
 * index), `zip` (a zip of those maildirs, built with yazl from the files on disk), `mbox` (one
 * large mboxrd file), `nested` (a tar.gz holding one zip per user and copy).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import yazl from 'yazl';

export type Pack = 'maildir' | 'zip' | 'mbox' | 'nested';
export const PACKS: readonly Pack[] = ['maildir', 'zip', 'mbox', 'nested'];

export interface ScaleOptions {
  /** The extracted Enron `maildir/` folder (<user>/<folder…>/<N>). */
  src: string;
  /** How many copies, an integer ≥ 1 (1 = the corpus itself). */
  factor: number;
  /** Output folder; each packing goes in its own sub-path. Reused when already complete. */
  out: string;
  packs: Pack[];
  /** Only the first N users (sorted by name): small scaled corpora for tests. */
  users?: number;
  log?: (s: string) => void;
}

export interface ScaledCorpus {
  factor: number;
  messages: number;
  /** Total bytes of the generated message files. */
  bytes: number;
  paths: Partial<Record<Pack, string>>;
}

const FIRST = ['alice', 'bruno', 'chloe', 'david', 'emma', 'farid', 'gaelle', 'hugo', 'ines', 'jules', 'karim', 'lea', 'marc', 'nadia', 'olivier', 'pauline', 'quentin', 'rose', 'samir', 'theo', 'ursula', 'victor', 'wendy', 'xavier', 'yasmine', 'zoe', 'anna', 'boris', 'carla', 'dmitri', 'elena', 'felix'];
const LAST = ['martin', 'bernard', 'dubois', 'thomas', 'robert', 'richard', 'petit', 'durand', 'leroy', 'moreau', 'simon', 'laurent', 'lefebvre', 'michel', 'garcia', 'david', 'bertrand', 'roux', 'vincent', 'fournier', 'morel', 'girard', 'andre', 'mercier', 'dupont', 'lambert', 'bonnet', 'francois', 'martinez', 'legrand', 'garnier', 'faure'];

function h32(s: string): number {
  return createHash('sha1').update(s).digest().readUInt32BE(0);
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const DAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `Date:` value moved by `shiftMs`, written in its own zone offset (RFC 5322 form). */
export function shiftDate(value: string, shiftMs: number): string | null {
  const m = /^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([+-])(\d{2})(\d{2})(.*)$/s.exec(value);
  if (!m) return null;
  const mon = MON.indexOf(cap(m[2].toLowerCase()));
  if (mon < 0) return null;
  const off = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) - off * 60_000 + shiftMs;
  const local = new Date(utc + off * 60_000);
  const rest = m[10].replace(/\r?\n$/, '');
  return `${DAY[local.getUTCDay()]}, ${local.getUTCDate()} ${MON[local.getUTCMonth()]} ${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${m[7]}${m[8]}${m[9]}${rest}`;
}

/** Copy k of one message (k = 0: the bytes unchanged). */
export function vary(raw: Buffer, k: number, rel: string): Buffer {
  if (k === 0) return raw;
  const text = raw.toString('latin1');
  const split = text.indexOf('\n\n');
  let head = split < 0 ? text : text.slice(0, split + 1);
  let body = split < 0 ? '' : text.slice(split + 2);
  const seed = h32(`${rel}\0${k}`);

  // names: first.last@enron.com → drawn names; the display names that spell them follow
  const renames = new Map<string, string>();
  head = head.replace(/\b([a-z]+)\.([a-z]+)@enron\.com\b/gi, (all, f: string, l: string) => {
    const nf = FIRST[h32(`${f.toLowerCase()}\0${k}`) % FIRST.length];
    const nl = LAST[h32(`${l.toLowerCase()}\0${k}`) % LAST.length];
    renames.set(cap(f.toLowerCase()), cap(nf));
    renames.set(cap(l.toLowerCase()), cap(nl));
    return `${nf}.${nl}@enron.com`;
  });
  if (renames.size) {
    head = head.replace(/^(X-From|X-To|X-cc):(.*)$/gim, (_all, name: string, v: string) => `${name}:${v.replace(/\b[A-Z][a-z]+\b/g, (w) => renames.get(w) ?? w)}`);
  }
  head = head.replace(/^(Message-ID|In-Reply-To|References):(.*)$/gim, (_all, name: string, v: string) => `${name}:${v.replace(/<([^<>@\s]+)@/g, `<$1.v${k}@`)}`);
  const shift = k * 52 * 7 * 86_400_000 + (seed % 1440) * 60_000;
  head = head.replace(/^Date:(.*)$/im, (all, v: string) => {
    const d = shiftDate(v, shift);
    return d === null ? all : `Date: ${d}`;
  });
  const token = `TRV${k.toString(36)}${(seed >>> 8).toString(36)}`;
  body = `${body}${body.endsWith('\n') || !body ? '' : '\n'}\nRef: ${token}\n`;

  if (seed % 16 === 0) {
    // one in 16: multipart/mixed with the text and a generated CSV
    const boundary = `----=_trove_scale_${seed.toString(16)}_${k}`;
    const ctype = /^Content-Type:[^\n]*(?:\n[ \t][^\n]*)*\n/im.exec(head)?.[0] ?? 'Content-Type: text/plain; charset=us-ascii\n';
    const cte = /^Content-Transfer-Encoding:[^\n]*\n/im.exec(head)?.[0] ?? 'Content-Transfer-Encoding: 7bit\n';
    head = head.replace(/^Content-Type:[^\n]*(?:\n[ \t][^\n]*)*\n/gim, '').replace(/^Content-Transfer-Encoding:[^\n]*\n/gim, '').replace(/^Mime-Version:[^\n]*\n/gim, '');
    const rows = ['date,desk,volume,price'];
    for (let i = 0; i < 12 + (seed % 40); i++) rows.push(`2001-${pad(1 + ((seed + i) % 12))}-${pad(1 + ((seed >>> 4) + i) % 28)},${LAST[(seed + i) % LAST.length]},${(seed >>> (i % 16)) % 5000},${((seed % 997) / 10 + i).toFixed(2)}`);
    const csv = Buffer.from(rows.join('\r\n') + '\r\n').toString('base64').replace(/.{76}/g, '$&\n');
    head += `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${boundary}"\n`;
    body = `This is a multi-part message in MIME format.\n\n--${boundary}\n${ctype}${cte}\n${body}\n--${boundary}\nContent-Type: text/csv; name="positions-${token}.csv"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="positions-${token}.csv"\n\n${csv}\n--${boundary}--\n`;
  }
  return Buffer.from(`${head}\n${body}`, 'latin1');
}

function listFiles(root: string, users?: number): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p));
    }
  };
  const top = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const u of users === undefined ? top : top.slice(0, users)) walk(join(root, u));
  return out;
}

/** `From ` line of an mbox entry: the From address and the Date of the message, asctime form. */
function fromLine(msg: Buffer): string {
  const head = msg.subarray(0, Math.min(msg.length, 8192)).toString('latin1');
  const from = /^From:.*?([^\s<>"]+@[^\s<>"]+)/im.exec(head)?.[1] ?? 'MAILER-DAEMON';
  const date = /^Date:(.*)$/im.exec(head)?.[1];
  const t = date ? Date.parse(date.replace(/\([^)]*\)/g, '')) : NaN;
  const d = new Date(Number.isFinite(t) ? t : 0);
  return `From ${from} ${DAY[d.getUTCDay()]} ${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}\n`;
}

function zipFolder(folder: string, files: string[], outFile: string): Promise<void> {
  return new Promise((resolveP, rejectP) => {
    const z = new yazl.ZipFile();
    const ws = createWriteStream(outFile);
    ws.on('error', rejectP);
    ws.on('close', () => resolveP());
    z.outputStream.pipe(ws);
    // fixed mtime: the same input gives the same zip bytes
    for (const f of files) z.addFile(join(folder, f), f, { mtime: new Date(Date.UTC(2001, 0, 1)), mode: 0o100644 });
    z.end();
  });
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/** Builds (or reuses) the scaled corpus. Each packing is written under a `.partial` name, then renamed. */
export async function scaleCorpus(o: ScaleOptions): Promise<ScaledCorpus> {
  if (!Number.isInteger(o.factor) || o.factor < 1) throw new Error('factor must be an integer ≥ 1');
  const log = o.log ?? (() => {});
  mkdirSync(o.out, { recursive: true });
  const files = listFiles(o.src, o.users);
  const md = join(o.out, 'maildir');
  const metaFile = join(o.out, 'scale.json');
  let meta: { messages: number; bytes: number } | null = existsSync(metaFile) && existsSync(md) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { messages: number; bytes: number }) : null;
  if (!meta) {
    log(`scale: writing ${o.factor} × ${files.length} messages as maildirs in ${md}`);
    const partial = `${md}.partial`;
    rmSync(partial, { recursive: true, force: true });
    let bytes = 0;
    const made = new Set<string>();
    for (let k = 0; k < o.factor; k++) {
      for (const rel of files) {
        const msg = vary(readFileSync(join(o.src, rel)), k, rel);
        const dir = join(partial, `s${k}`, dirname(rel));
        if (!made.has(dir)) {
          for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
          made.add(dir);
        }
        writeFileSync(join(dir, 'cur', rel.slice(dirname(rel).length + 1)), msg);
        bytes += msg.length;
      }
      log(`scale: copy ${k + 1}/${o.factor} written`);
    }
    renameSync(partial, md);
    meta = { messages: files.length * o.factor, bytes };
    writeFileSync(metaFile, JSON.stringify(meta));
  }
  const mdFiles = (): string[] => {
    const out: string[] = [];
    for (let k = 0; k < o.factor; k++) for (const rel of files) out.push(join(`s${k}`, dirname(rel), 'cur', rel.slice(dirname(rel).length + 1)));
    return out;
  };
  const paths: Partial<Record<Pack, string>> = { maildir: md };

  if (o.packs.includes('zip')) {
    const zf = join(o.out, 'scaled.zip');
    if (!existsSync(zf)) {
      log(`scale: zipping into ${zf}`);
      await zipFolder(md, mdFiles(), `${zf}.partial`);
      renameSync(`${zf}.partial`, zf);
    }
    paths.zip = zf;
  }
  if (o.packs.includes('mbox')) {
    const mf = join(o.out, 'scaled.mbox');
    if (!existsSync(mf)) {
      log(`scale: writing one mbox ${mf}`);
      const fd = openSync(`${mf}.partial`, 'w');
      try {
        for (const f of mdFiles()) {
          const msg = readFileSync(join(md, f));
          // mboxrd: every line that starts with >*From gets one more '>'; the reader undoes it
          const body = msg.toString('latin1').replace(/^(>*From )/gm, '>$1');
          writeSync(fd, fromLine(msg));
          writeSync(fd, Buffer.from(body.endsWith('\n') ? body : `${body}\n`, 'latin1'));
          writeSync(fd, '\n');
        }
      } finally {
        closeSync(fd);
      }
      renameSync(`${mf}.partial`, mf);
    }
    paths.mbox = mf;
  }
  if (o.packs.includes('nested')) {
    const nf = join(o.out, 'nested.tar.gz');
    if (!existsSync(nf)) {
      log(`scale: building nested archives (one zip per user and copy, in a tar.gz) ${nf}`);
      const stage = join(o.out, 'nested.partial');
      rmSync(stage, { recursive: true, force: true });
      mkdirSync(join(stage, 'dump'), { recursive: true });
      const all = mdFiles();
      const groups = new Map<string, string[]>();
      for (const f of all) {
        const [copy, user] = f.split('/');
        const key = `${copy}-${user}`;
        const g = groups.get(key) ?? [];
        g.push(f);
        groups.set(key, g);
      }
      for (const [key, g] of groups) await zipFolder(md, g, join(stage, 'dump', `${key}.zip`));
      sh('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1000000000', '-czf', `${nf}.partial`, '-C', stage, 'dump']);
      renameSync(`${nf}.partial`, nf);
      rmSync(stage, { recursive: true, force: true });
    }
    paths.nested = nf;
  }
  return { factor: o.factor, messages: meta.messages, bytes: meta.bytes, paths };
}

/** Size on disk of a packing (a file, or every file under a folder). */
export function packBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}
