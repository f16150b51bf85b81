/**
 * @module forensics/sender-profile
 * Software and name scripts unlike the sender's other attachments (an
 * `attachment-metadata-anomaly`, CONTRACT.md): the files one address sends are usually made
 * with the same office suite or PDF producer, and their author names written in one script.
 * A document that breaks the sender's own habit (a Cyrillic author among a French adviser's
 * files, LibreOffice where every other file of the sender came from Word) is what analysts
 * spotted in planted documents.
 *
 * Counted per distinct file (sha256), so a file attached ten times weighs once, and the
 * judged file never counts towards the habit it is compared with.
 */
import type { DocMetadata } from './metadata/types.ts';
import { scriptOf, type Script } from './script.ts';
import type { Finding } from './types.ts';

/**
 * A habit needs this many other files of the same kind, all of them agreeing: with fewer, or
 * any variety, a different file is ordinary (people receive and pass on documents made by
 * others). By the rule of three, n unanimous files still allow an unseen habit in up to 3/n
 * of the sender's files: 8 files bound another application at 37%, which is why unanimity is
 * required too and the sentence gives the counts. A foreign script among a sender's names is
 * rarer legitimately (a correspondent abroad), so 5 files suffice for it.
 */
export const SENDER_MIN_FILES = { software: 8, script: 5 } as const;

type Kind = 'office' | 'pdf';

/**
 * Application families: product names change with versions ("Microsoft Word 8.0",
 * "Microsoft Office Word 16.0000"), the family does not. Unknown producers are their first
 * word.
 */
const FAMILIES: [RegExp, string][] = [
  [/\bword\b/i, 'Microsoft Word'], [/\bexcel\b/i, 'Microsoft Excel'], [/powerpoint/i, 'Microsoft PowerPoint'],
  [/libreoffice|openoffice|staroffice|neooffice/i, 'LibreOffice/OpenOffice'], [/wordperfect|corel/i, 'Corel WordPerfect'],
  [/\bpages\b|\bnumbers\b|\bkeynote\b/i, 'Apple iWork'], [/google/i, 'Google Docs'], [/acrobat|distiller|adobe pdf/i, 'Adobe Acrobat'],
  [/quartz|mac os x/i, 'macOS Quartz'], [/tex\b|latex|dvipdf/i, 'TeX'], [/wps/i, 'WPS Office'], [/itext/i, 'iText'],
  [/ghostscript/i, 'Ghostscript'], [/microsoft.*print to pdf|microsoft: print/i, 'Microsoft Print to PDF'],
];

export function softwareFamily(s: string | undefined): string | null {
  if (!s?.trim()) return null;
  for (const [re, f] of FAMILIES) if (re.test(s)) return f;
  return s.trim().split(/[\s/(,;]+/)[0].replace(/[\d.]+$/, '') || null;
}

interface FileHabit {
  kind: Kind;
  family: string | null;
  scripts: Script[];
}

function kindOf(m: DocMetadata): Kind | null {
  return m.format === 'ooxml' || m.format === 'ole' ? 'office' : m.format === 'pdf' ? 'pdf' : null;
}

function habit(m: DocMetadata): FileHabit | null {
  const kind = kindOf(m);
  if (!kind) return null;
  const scripts = [m.author, m.lastModifiedBy].map((v) => (v ? scriptOf(v) : null)).filter((s): s is Script => s !== null);
  return { kind, family: softwareFamily(m.software), scripts };
}

/** Every sender's files, by address and sha256. */
export class SenderProfiles {
  private readonly bySender = new Map<string, Map<string, FileHabit>>();

  add(sender: string, sha256: string, m: DocMetadata): void {
    const h = habit(m);
    if (!h) return;
    let files = this.bySender.get(sender);
    if (!files) this.bySender.set(sender, (files = new Map()));
    files.set(sha256, h);
  }

  /** Findings for one file of the sender; `skipScript` when the corpus-wide check already named its script. */
  judge(sender: string | null, sha256: string, m: DocMetadata, name: string, skipScript: boolean): Finding[] {
    const h = habit(m);
    const files = sender ? this.bySender.get(sender) : undefined;
    if (!h || !files) return [];
    const others = [...files].filter(([sha, f]) => sha !== sha256 && f.kind === h.kind).map(([, f]) => f);
    const out: Finding[] = [];
    const fams = others.map((f) => f.family).filter((f): f is string => f !== null);
    if (h.family && fams.length >= SENDER_MIN_FILES.software && fams.every((f) => f === fams[0]) && fams[0] !== h.family) {
      out.push({
        code: 'attachment-metadata-anomaly', severity: 'warning', contradicts: true,
        detail: `${name} was made with ${h.family} ("${m.software}"), while all ${fams.length} other ${h.kind === 'pdf' ? 'PDF files' : 'office documents'} this sender (${sender}) attached were made with ${fams[0]}.`,
      });
    }
    const scripts = others.flatMap((f) => f.scripts);
    const withNames = others.filter((f) => f.scripts.length).length;
    const odd = h.scripts.find((s) => s !== scripts[0]);
    if (!skipScript && odd && withNames >= SENDER_MIN_FILES.script && scripts.every((s) => s === scripts[0])) {
      const who = [m.author, m.lastModifiedBy].find((v) => v && scriptOf(v) === odd);
      out.push({
        code: 'attachment-metadata-anomaly', severity: 'warning', contradicts: true,
        detail: `The author of ${name} is written in ${odd} script ("${who}"), while the names in all ${withNames} other documents this sender (${sender}) attached are in ${scripts[0]} script.`,
      });
    }
    return out;
  }
}
