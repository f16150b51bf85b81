/**
 * @module forensics/metadata/types
 * The `attachments[].metadata` record (export). Common fields first, so a summary can read
 * every format alike; dates are ISO 8601, with `Z`/offset when the format records the zone
 * and without one when it is local time of an unknown zone (EXIF, some PDFs).
 */
export interface DocMetadata {
  format: 'ooxml' | 'ole' | 'pdf' | 'exif';
  title?: string;
  author?: string;
  lastModifiedBy?: string;
  company?: string;
  manager?: string;
  /** Producing software (Office application, PDF producer/creator tool, camera firmware). */
  software?: string;
  /** PDF only: the authoring tool when it differs from the producer. */
  creatorTool?: string;
  template?: string;
  revision?: string;
  /** Total editing time recorded by Office, minutes. */
  totalEditMinutes?: number;
  created?: string;
  modified?: string;
  lastPrinted?: string;
  /** PDF: revisions appended after the first save (incremental updates). */
  incrementalUpdates?: number;
  pdfVersion?: string;
  linearized?: boolean;
  /** EXIF. */
  make?: string;
  model?: string;
  taken?: string;
  gps?: { latitude: number; longitude: number };
  /** Where parts of the record came from (e.g. 'xmp'), or what could not be read. */
  notes?: string[];
}

/** Drops undefined and empty fields so the export record stays readable. */
export function compact(m: DocMetadata): DocMetadata {
  const o: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(m)) {
    const v = typeof raw === 'string' ? raw.trim() : raw;
    if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) o[k] = v;
  }
  return o as unknown as DocMetadata;
}
