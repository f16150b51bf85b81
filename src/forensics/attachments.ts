/**
 * @module forensics/attachments
 * `attachment-metadata-anomaly`: document and photo metadata that contradicts the message
 * carrying it or the rest of the corpus, and photos whose EXIF data contradicts the message
 * (taken after it was sent, dates out of order, an editor's signature, another device).
 */
import type { DocMetadata } from './metadata/types.ts';
import { scriptOf, type Script } from './script.ts';
import type { Finding } from './types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Tolerances. Office and PDF dates carry a zone (UTC or an offset); EXIF and some PDF dates
 * are local time of an unknown zone, which can be up to 14 hours from UTC.
 * - ORDER: created after modified by more than a minute (same zone-ness) is impossible for
 *   one file; 14 hours when only one of them has a zone.
 * - AFTER_SENT: a document saved after the email that carries it was sent. The Date header
 *   comes from the sender's clock and the document's from its author's: 2 hours absorbs clock
 *   drift and a DST mistake, plus 14 hours when the document's time has no zone.
 * - EDIT: Office's total editing time should not exceed the span from creation to last save
 *   (an hour of slack for rounding). But "Save As" gives the copy a new creation date and keeps
 *   the editing time (seen on a real Enron attachment: 94 minutes of editing, 1 minute between
 *   created and saved), so this is `info` and contradicts nothing on its own.
 */
export const METADATA_TOLERANCE = { orderMs: MIN, zoneMs: 14 * HOUR, afterSentMs: 2 * HOUR, editSlackMin: 60 } as const;

export const PEOPLE_FIELDS = ['author', 'lastModifiedBy', 'company', 'manager'] as const;

function when(s: string | undefined): { ms: number; zoned: boolean } | null {
  if (!s) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
  const ms = Date.parse(zoned ? s : `${s}Z`);
  return Number.isNaN(ms) ? null : { ms, zoned };
}

function fmt(ms: number, zoned: boolean): string {
  const s = new Date(ms).toISOString().replace('.000Z', 'Z');
  return zoned ? s : `${s.slice(0, -1)} (local time)`;
}

export interface AttachmentRef {
  filename: string | null;
  metadata: DocMetadata;
}

/** What the carrying message claims, for photo checks. */
export interface MessageClaims {
  /** The X-Mailer/User-Agent as written, or null. */
  mailer?: string | null;
}

/**
 * Photo editors that write their name in EXIF Software. Cameras and phones write a firmware
 * version there; these names mean the picture was retouched or re-saved after it was taken.
 */
const PHOTO_EDITORS = /photoshop|gimp|lightroom|snapseed|pixelmator|paint\.net|affinity photo|picasa|acdsee|facetune|photoscape|fotor|luminar|capture one|darktable|rawtherapee/i;

/** Mailers that name the device they run on, and the camera maker of that device. */
const DEVICE_MAILERS: [RegExp, RegExp, string][] = [[/\biP(hone|ad) Mail\b|\biOS\b/i, /^apple/i, 'Apple']];

function photoFindings(m: DocMetadata, name: string, claims: MessageClaims, sent: number | null, add: (detail: string, contradicts?: boolean, severity?: Finding['severity']) => void): void {
  const taken = when(m.taken);
  const modified = when(m.modified);
  // Both are the camera's local clock: no zone slack is needed between them.
  if (taken && modified && taken.ms - modified.ms > METADATA_TOLERANCE.orderMs) {
    add(`The EXIF data of ${name} says the photo was taken ${fmt(taken.ms, false)}, after the file was last changed ${fmt(modified.ms, false)}: the dates were edited.`);
  }
  const editor = m.software && PHOTO_EDITORS.exec(m.software);
  if (editor) add(`${name} was saved by photo editing software ("${m.software}")${m.make || m.model ? ` after it was taken with a ${[m.make, m.model].filter(Boolean).join(' ')}` : ''}: the picture may have been retouched.`, false, 'info');
  // A message written on a phone carrying a photo "just taken" by another maker's camera.
  for (const [mailer, make, maker] of DEVICE_MAILERS) {
    if (!claims.mailer || !mailer.test(claims.mailer) || !m.make || make.test(m.make) || !taken || sent === null) continue;
    if (Math.abs(sent - taken.ms) <= METADATA_TOLERANCE.zoneMs + 24 * HOUR) {
      add(`The message says it was written on an ${maker} device ("${claims.mailer}"), but ${name}, taken shortly before it was sent, comes from a ${m.make}${m.model ? ` ${m.model}` : ''} camera.`, false, 'info');
    }
  }
}

/**
 * @param sent the message's Date (ms) or null
 * @param majority the corpus's majority script of people names (null: no clear majority)
 */
export function attachmentFindings(a: AttachmentRef, sent: number | null, majority: Script | null, claims: MessageClaims = {}): Finding[] {
  const out: Finding[] = [];
  const m = a.metadata;
  const name = a.filename ? `"${a.filename}"` : `an attached ${m.format.toUpperCase()} file`;
  const add = (detail: string, contradicts = true, severity: Finding['severity'] = 'warning') => out.push({ code: 'attachment-metadata-anomaly', severity, contradicts, detail });
  const created = when(m.created);
  const modified = when(m.modified ?? m.taken);
  if (created && modified) {
    const tol = created.zoned === modified.zoned ? METADATA_TOLERANCE.orderMs : METADATA_TOLERANCE.zoneMs;
    if (created.ms - modified.ms > tol) add(`The properties of ${name} say it was created ${fmt(created.ms, created.zoned)}, after it was last modified ${fmt(modified.ms, modified.zoned)}: the dates were edited or copied from another file.`);
  }
  if (sent !== null) {
    // A photo's claim is when it was taken; a document's when it was last saved.
    for (const [label, d] of [['taken', when(m.taken)], ['last modified', when(m.modified)], ['created', created]] as const) {
      if (!d) continue;
      const tol = METADATA_TOLERANCE.afterSentMs + (d.zoned ? 0 : METADATA_TOLERANCE.zoneMs);
      if (d.ms - sent > tol) {
        add(`The properties of ${name} say it was ${label} ${fmt(d.ms, d.zoned)}, after the email carrying it was sent (${fmt(sent, true)}).`);
        break;
      }
    }
  }
  if (m.totalEditMinutes !== undefined && created?.zoned && modified?.zoned && modified.ms >= created.ms) {
    const spanMin = (modified.ms - created.ms) / MIN;
    if (m.totalEditMinutes > spanMin + METADATA_TOLERANCE.editSlackMin) {
      add(`${name} records ${m.totalEditMinutes} minutes of editing, but only ${Math.round(spanMin)} minutes passed between its creation and its last save: it was saved as a copy of an older document, or its properties were edited.`, false, 'info');
    }
  }
  if (majority) {
    for (const f of PEOPLE_FIELDS) {
      const v = m[f];
      const s = v ? scriptOf(v) : null;
      if (v && s && s !== majority) add(`The ${f === 'lastModifiedBy' ? 'last editor' : f} of ${name} is written in ${s} script ("${v}"), unlike the ${majority} names in the rest of the case's documents.`);
    }
  }
  if (m.format === 'exif') photoFindings(m, name, claims, sent, add);
  if (m.incrementalUpdates) {
    add(`${name} was saved ${m.incrementalUpdates} more time(s) after it was first written (PDF incremental updates): its content may have been changed since; earlier revisions are still inside the file.`, false, 'info');
  }
  return out;
}
