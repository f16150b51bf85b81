/**
 * @module ingest/archive/rar
 * RAR reader (RAR 1.5–4 and RAR 5). Routed through 7-Zip (7z-wasm), which reads rar with
 * RARLAB's own decompression code, rather than node-unrar-js, because node-unrar-js's file
 * extractor writes members to disk by their archive name (zip-slip unless renamed), shares
 * one module-level extractor between concurrent archives (a rar inside a rar would clobber
 * it), and gives no way to stop a member mid-write when it expands past its declared size.
 * Same contract as the 7z reader: see ./sevenzip.ts.
 */
import type { FileArchiveReader } from '../types.ts';
import { readWithSevenZip } from './sevenzip.ts';

export const readRar: FileArchiveReader = (path, ctx) => readWithSevenZip(path, ctx, 'rar');
