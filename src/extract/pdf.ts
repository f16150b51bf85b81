/**
 * @module extract/pdf
 * Text of PDF files, page by page, with Mozilla's pdf.js (pdfjs-dist, the legacy build for
 * Node). Asynchronous: pdf.js has no synchronous API. It runs its "fake worker" in the
 * calling thread (so it works inside a worker_thread too), with font loading, eval, system
 * fonts and any fetching switched off: the bytes are handed over whole, nothing is read from
 * the network or disk. Bounded by page count, output characters and the time budget; the
 * document is destroyed on every path, including a timeout.
 */
import type { Sink } from './limits.ts';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | null = null;

export function isPdf(b: Uint8Array): boolean {
  // The header may follow junk (up to 1 KB, as readers accept).
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 1024)).includes('%PDF-');
}

class Timeout extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout('time')), Math.max(1, ms));
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** Appends the text of `bytes` to `out`. Returns an error message, or null. */
export async function pdfText(bytes: Uint8Array, out: Sink): Promise<string | null> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const lib = await pdfjs;
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    enableXfa: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    const doc = await within(task.promise, out.timeLeft());
    const pages = Math.min(doc.numPages, out.limits.maxPdfPages);
    for (let n = 1; n <= pages; n++) {
      if (out.full) break;
      const page = await within(doc.getPage(n), out.timeLeft());
      const content = await within(page.getTextContent(), out.timeLeft());
      let line = '';
      for (const item of content.items as TextItemLike[]) {
        if (typeof item.str === 'string') line += item.str;
        if (item.hasEOL) line += '\n';
      }
      page.cleanup();
      if (!out.push(`${line}\n\f`)) break;
    }
    if (doc.numPages > pages && !out.full) out.stop(`PDF has ${doc.numPages} pages; only the first ${pages} were read`);
    return null;
  } catch (e) {
    if (e instanceof Timeout) {
      out.timeout();
      return out.length ? null : `PDF not read within ${out.limits.timeBudgetMs} ms`;
    }
    const err = e as Error;
    if (err.name === 'PasswordException') return 'PDF is encrypted with a password';
    return `PDF unreadable: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${String(err.message).slice(0, 160)}`;
  } finally {
    await task.destroy().catch(() => {});
  }
}
