/**
 * @module extract/office
 * Text of Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp) files, read
 * from their XML parts with the flat scanner (extract/xml) through the bounded zip reader
 * (extract/zip). Synchronous.
 */
import type { Sink } from './limits.ts';
import { attr, scanXml } from './xml.ts';
import type { Zip } from './zip.ts';

/** Resolves a relationships part: Id → target member path (relative to `baseDir`). */
function rels(zip: Zip, relsPath: string, baseDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const xml = zip.text(relsPath);
  if (!xml) return out;
  scanXml(xml, {
    open(name, attrs) {
      if (name !== 'Relationship') return;
      const id = attr(attrs, 'Id');
      const target = attr(attrs, 'Target');
      if (id && target) out.set(id, resolvePath(baseDir, target));
    },
    close() {},
    text() {},
  });
  return out;
}

function resolvePath(baseDir: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${baseDir}/${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p && p !== '.') out.push(p);
  }
  return out.join('/').toLowerCase();
}

function numbered(zip: Zip, re: RegExp): string[] {
  return zip
    .names()
    .filter((n) => re.test(n))
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)?.[1] ?? 0) - Number(/(\d+)\.xml$/.exec(b)?.[1] ?? 0));
}

/**
 * Paragraph-structured WordprocessingML / DrawingML text: `t` runs (and `delText`, deleted
 * tracked-change text, which is still in the file and worth finding), tabs and breaks, a
 * newline after each paragraph. `mc:Fallback` copies of text boxes are skipped.
 */
function paragraphs(xml: string, out: Sink): void {
  let inText = 0;
  let fallback = 0;
  scanXml(
    xml,
    {
      open(name, _a, self) {
        if (name === 'Fallback') fallback += self ? 0 : 1;
        else if (fallback) return;
        else if ((name === 't' || name === 'delText') && !self) inText++;
        else if (name === 'tab') return out.push('\t');
        else if (name === 'br' || name === 'cr') return out.push('\n');
      },
      close(name) {
        if (name === 'Fallback') fallback = Math.max(0, fallback - 1);
        else if (fallback) return;
        else if (name === 't' || name === 'delText') inText = Math.max(0, inText - 1);
        else if (name === 'p') return out.push('\n');
        else if (name === 'tc') return out.push('\t');
      },
      text(s) {
        if (inText && !fallback) return out.push(s);
      },
    },
    () => out.check(),
  );
}

export function docxText(zip: Zip, out: Sink): void {
  const main = zip.has('word/document.xml') ? 'word/document.xml' : (zip.names().find((n) => /^word\/document\d*\.xml$/.test(n)) ?? 'word/document.xml');
  const parts = [main, 'word/footnotes.xml', 'word/endnotes.xml', 'word/comments.xml', ...numbered(zip, /^word\/header\d+\.xml$/), ...numbered(zip, /^word\/footer\d+\.xml$/)];
  for (const p of parts) {
    if (out.full) return;
    const xml = zip.text(p);
    if (xml) {
      paragraphs(xml, out);
      out.push('\n');
    }
  }
}

export function pptxText(zip: Zip, out: Sink): void {
  // Slide order is the presentation's sldIdLst; file numbers are only a fallback.
  const r = rels(zip, 'ppt/_rels/presentation.xml.rels', 'ppt');
  const order: string[] = [];
  const pres = zip.text('ppt/presentation.xml');
  if (pres) {
    scanXml(pres, {
      open(name, attrs) {
        if (name !== 'sldId') return;
        const target = r.get(attr(attrs, ':id') ?? '');
        if (target && zip.has(target)) order.push(target);
      },
      close() {},
      text() {},
    });
  }
  const slides = order.length ? order : numbered(zip, /^ppt\/slides\/slide\d+\.xml$/);
  for (const s of slides) {
    if (out.full) return;
    const xml = zip.text(s);
    if (xml) paragraphs(xml, out);
    // Speaker notes of this slide.
    const base = s.slice(s.lastIndexOf('/') + 1);
    const notes = [...rels(zip, `ppt/slides/_rels/${base}.rels`, 'ppt/slides').values()].find((t) => t.startsWith('ppt/notesslides/'));
    const nx = notes ? zip.text(notes) : null;
    if (nx) paragraphs(nx, out);
    out.push('\n');
  }
}

/** Sheet members in workbook order with their names. */
function sheets(zip: Zip): { name: string; path: string }[] {
  const r = rels(zip, 'xl/_rels/workbook.xml.rels', 'xl');
  const out: { name: string; path: string }[] = [];
  const wb = zip.text('xl/workbook.xml');
  if (wb) {
    scanXml(wb, {
      open(name, attrs) {
        if (name !== 'sheet') return;
        const path = r.get(attr(attrs, ':id') ?? '');
        if (path && zip.has(path)) out.push({ name: attr(attrs, 'name') ?? '', path });
      },
      close() {},
      text() {},
    });
  }
  return out.length ? out : numbered(zip, /^xl\/worksheets\/sheet\d+\.xml$/).map((path) => ({ name: '', path }));
}

/**
 * Spreadsheet text sheet by sheet: the sheet name, then rows (cells tab-separated): shared
 * strings, inline strings, formula string results and numbers (amounts and account numbers
 * are what reporters search for). Phonetic runs (`rPh`) are skipped.
 */
export function xlsxText(zip: Zip, out: Sink): void {
  const shared: string[] = [];
  const sst = zip.text('xl/sharedStrings.xml');
  if (sst) {
    let cur: string[] | null = null;
    let inT = 0;
    let rph = 0;
    scanXml(
      sst,
      {
        open(name, _a, self) {
          if (self) return;
          if (name === 'si') cur = [];
          else if (name === 'rPh') rph++;
          else if (name === 't') inT++;
        },
        close(name) {
          if (name === 'si') {
            shared.push(cur ? cur.join('') : '');
            cur = null;
          } else if (name === 'rPh') rph = Math.max(0, rph - 1);
          else if (name === 't') inT = Math.max(0, inT - 1);
        },
        text(s) {
          if (cur && inT && !rph) cur.push(s);
        },
      },
      () => out.check(),
    );
  }
  for (const sh of sheets(zip)) {
    if (out.full) return;
    const xml = zip.text(sh.path);
    if (!xml) continue;
    if (sh.name) out.push(`${sh.name}\n`);
    let type = '';
    let inV = false;
    let inT = 0;
    let val = '';
    scanXml(
      xml,
      {
        open(name, attrs, self) {
          if (name === 'c') {
            type = attr(attrs, 't') ?? 'n';
            val = '';
          } else if (name === 'v' && !self) inV = true;
          else if (name === 't' && !self) inT++;
        },
        close(name) {
          if (name === 'v') inV = false;
          else if (name === 't') inT = Math.max(0, inT - 1);
          else if (name === 'c') {
            let s = '';
            if (type === 's') s = shared[Number(val)] ?? '';
            else if (type === 'inlineStr') s = val;
            else if (type === 'str' || type === 'n') s = val.trim();
            if (s) return out.push(`${s}\t`);
          } else if (name === 'row') return out.push('\n');
        },
        text(s) {
          if (inV || (inT && type === 'inlineStr')) val += s;
        },
      },
      () => out.check(),
    );
    out.push('\n');
  }
}

/**
 * OpenDocument text of content.xml's office:body: paragraphs and headings on their own lines,
 * `text:s` spaces, tabs, line breaks, table cells tab-separated and rows on lines. Tracked
 * deletions and annotations are kept (they are in the file).
 */
export function odfText(zip: Zip, out: Sink): void {
  const xml = zip.text('content.xml');
  if (!xml) return;
  let body = 0;
  let cell = 0;
  scanXml(
    xml,
    {
      open(name, attrs, self) {
        if (name === 'body' && !self) body++;
        if (!body) return;
        if (name === 'table-cell' && !self) cell++;
        if (name === 's') return out.push(' '.repeat(Math.min(1000, Math.max(1, Number(attr(attrs, 'c') ?? 1) || 1))));
        if (name === 'tab') return out.push('\t');
        if (name === 'line-break') return out.push('\n');
      },
      close(name) {
        if (name === 'body') body = Math.max(0, body - 1);
        if (!body) return;
        if (name === 'p' || name === 'h') return out.push(cell ? ' ' : '\n');
        if (name === 'table-row') return out.push('\n');
        if (name === 'table-cell') {
          cell = Math.max(0, cell - 1);
          return out.push('\t');
        }
      },
      text(s) {
        if (body) return out.push(s);
      },
    },
    () => out.check(),
  );
}
