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

export function extractMetadata(bytes: Uint8Array): DocMetadata | { error: string } | null {
  try {
    if (isPdf(bytes)) return readPdf(bytes);
    if (isOoxml(bytes)) return readOoxml(bytes);
    if (isOle(bytes)) return readOle(bytes);
    if (isImage(bytes)) return readExif(bytes);
  } catch (e) {
    return { error: `metadata unreadable: ${(e as Error).message.slice(0, 120)}` };
  }
  return null;
}
