/**
 * @module forensics/metadata/ooxml
 * Office Open XML (docx, xlsx, pptx…) document properties: docProps/core.xml (Dublin Core:
 * creator, lastModifiedBy, revision, created/modified in W3CDTF UTC) and docProps/app.xml
 * (Application, Company, TotalTime in minutes, Template). The zip is read with SheetJS `cfb`
 * (it reads ZIP as well as OLE), the XML with fast-xml-parser.
 */
import CFB from 'cfb';
import { XMLParser } from 'fast-xml-parser';
import { compact, type DocMetadata } from './types.ts';

const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return text((v as Record<string, unknown>)['#text']);
  return String(v);
}

export function isOoxml(b: Uint8Array): boolean {
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04 && Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 65536)).includes('[Content_Types].xml');
}

export function readOoxml(b: Uint8Array): DocMetadata | null {
  const zip = CFB.read(b, { type: 'buffer' });
  const file = (name: string): Record<string, unknown> | null => {
    const i = zip.FullPaths.findIndex((p) => p.toLowerCase().endsWith(`/${name}`));
    const content = i >= 0 ? zip.FileIndex[i]?.content : undefined;
    if (!content || content.length === 0) return null;
    return xml.parse(Buffer.from(content as Uint8Array).toString('utf8')) as Record<string, unknown>;
  };
  const core = (file('docprops/core.xml')?.coreProperties ?? {}) as Record<string, unknown>;
  const app = (file('docprops/app.xml')?.Properties ?? {}) as Record<string, unknown>;
  if (!Object.keys(core).length && !Object.keys(app).length) return null;
  const total = text(app.TotalTime);
  const appName = text(app.Application);
  return compact({
    format: 'ooxml',
    title: text(core.title),
    author: text(core.creator),
    lastModifiedBy: text(core.lastModifiedBy),
    company: text(app.Company),
    manager: text(app.Manager),
    software: appName && text(app.AppVersion) ? `${appName} ${text(app.AppVersion)}` : appName,
    template: text(app.Template),
    revision: text(core.revision),
    totalEditMinutes: total !== undefined && /^\d+$/.test(total) ? Number(total) : undefined,
    created: text(core.created),
    modified: text(core.modified),
    lastPrinted: text(core.lastPrinted),
  });
}
