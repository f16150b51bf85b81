/**
 * @module forensics/metadata
 * Document and photo metadata of one attachment, recognised by content (never by name).
 * Never throws: a file that cannot be read yields a record saying so.
 */
import { readExif, isImage } from './exif.ts';
import { isOle, readOle } from './ole.ts';
import { isOoxml, readOoxml } from './ooxml.ts';
import { isPdf, readPdf } from './pdf.ts';
import type { DocMetadata } from './types.ts';

export type { DocMetadata } from './types.ts';

/**
 * SheetJS cfb expands a whole compound file into JS arrays (about 60x its size in memory on
 * an 866 KB Enron .doc), so larger OLE files are left to a streaming reader (not written yet).
 */
const MAX_OLE_BYTES = 512 * 1024;

export function extractMetadata(bytes: Uint8Array): DocMetadata | { error: string } | null {
  try {
    if (isPdf(bytes)) return readPdf(bytes);
    if (isOoxml(bytes)) return readOoxml(bytes);
    if (isOle(bytes)) return bytes.length <= MAX_OLE_BYTES ? readOle(bytes) : { error: `legacy Office file larger than ${MAX_OLE_BYTES / 1024} KB: properties not read` };
    if (isImage(bytes)) return readExif(bytes);
  } catch (e) {
    return { error: `metadata unreadable: ${(e as Error).message.slice(0, 120)}` };
  }
  return null;
}
