/**
 * @module report/md
 * The authenticity report as Markdown. Message-derived text is put in code spans or escaped so
 * that a hostile Subject cannot inject links, images or HTML into a Markdown renderer.
 */
import type { AuthenticityReport } from './model.ts';

/** Escapes Markdown/HTML metacharacters and flattens line breaks (header values are one line). */
export function mdText(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').replace(/([\\`*_[\]!|<>~&])/g, '\\$1').replace(/:\/\//g, ':\\/\\/');
}

/** A code span for identifiers (locators, hashes); falls back to escaped text if it holds a backtick. */
const code = (s: string): string => (/[`\r\n]/.test(s) ? mdText(s) : `\`${s}\``);

const cell = (s: string | number | boolean | null): string => (s === null || s === '' ? '–' : mdText(String(s)));

export function renderMarkdown(r: AuthenticityReport): string {
  const o: string[] = [];
  const m = r.message;
  o.push(`# Authenticity report: ${cell(m.subject || '(no subject)')}`, '');
  o.push(`Generated ${r.generated_at} by trove ${r.trove_version} (${r.format}).`, '');
  o.push(`**Verdict: ${r.verdict.toUpperCase()}**`, '');
  o.push('## What this proves and what it does not', '', mdText(r.proves), '', mdText(r.does_not_prove), '');
  o.push('## Check it yourself', '', '~~~sh', r.reproduce.replace(/~~~/g, '~ ~ ~'), '~~~', '');
  o.push('## Message identity', '');
  o.push('| field | value |', '|---|---|');
  o.push(`| SHA-256 of the raw message | \`${m.sha256}\` |`);
  o.push(`| size | ${m.size} bytes (${cell(m.origin)}) |`);
  o.push(`| Message-ID | ${m.message_id ? code(m.message_id) : '–'} |`);
  o.push(`| Date | ${cell(m.date)}${m.date_raw ? ` (as written: ${cell(m.date_raw)})` : ''} |`);
  o.push(`| From | ${cell(m.from.join(', '))} |`, `| To | ${cell(m.to.join(', '))} |`);
  if (m.cc.length) o.push(`| Cc | ${cell(m.cc.join(', '))} |`);
  o.push(`| Subject | ${cell(m.subject)} |`, '');
  o.push('## Chain of custody', '', 'Every place these exact bytes were found, with each container up to the file that was ingested:', '');
  for (const s of r.sources) {
    o.push(`- ${code(s.locator)}${s.ingested_at ? ` — ingested ${s.ingested_at}${s.ingested_by ? ` by ${s.ingested_by}` : ''}` : ''}`);
    for (const c of s.containers) o.push(`  - in ${code(c.locator)} (${cell(c.format)}, ${c.size ?? '?'} bytes) SHA-256 \`${c.sha256 ?? 'unknown'}\``);
  }
  o.push('');
  o.push('## Evidence', '');
  if (!r.evidence.length) o.push('No findings.');
  for (const e of r.evidence) o.push(`- **${e.severity}** \`${e.code}\`: ${mdText(e.detail)}`);
  o.push('');
  o.push('## DKIM signatures', '');
  if (!r.dkim.length) o.push('The message carries no DKIM signature.', '');
  for (const s of r.dkim) {
    o.push(`### Signature ${s.index + 1}: ${cell(s.domain || '(no domain)')}`, '');
    o.push('| | |', '|---|---|');
    o.push(`| result | ${cell(s.result)}${s.error ? ` (${cell(s.error)})` : ''} |`);
    o.push(`| body hash | ${cell(s.body_hash)} |`, `| header signature | ${cell(s.header_signature)} |`);
    o.push(`| signer (d=) / selector (s=) | ${cell(s.domain)} / ${cell(s.selector)} |`);
    o.push(`| sender's domain (aligned) | ${s.aligned ? 'yes' : 'no'} |`);
    o.push(`| algorithm / canonicalization | ${cell(s.algorithm)} / ${cell(s.canonicalization)} |`);
    o.push(`| signed at (t=) / expires (x=) | ${cell(s.signed_at)} / ${cell(s.expires_at)} |`);
    o.push(`| body length limit (l=) | ${cell(s.length_limit)}${s.unsigned_body_bytes ? `, ${s.unsigned_body_bytes} unsigned bytes follow` : ''} |`);
    o.push(`| signed headers (h=) | ${cell(s.signed_headers.join(', '))} |`);
    const k = s.key;
    o.push(`| key | ${s.key_name ? code(s.key_name) : '–'}: ${k.origin === 'missing' ? 'not in the archive' : `${k.type === 'rsa' ? `RSA ${k.bits} bits` : cell(k.type)}, ${cell(k.status)}, from ${k.origin === 'dns' ? 'DNS (trove keys fetch)' : 'the case archive'}, first seen ${cell(k.first_seen)}, last seen ${cell(k.last_seen)}`} |`, '');
    for (const e of s.evidence) o.push(`- **${e.severity}** \`${e.code}\`: ${mdText(e.detail)}`);
    if (s.evidence.length) o.push('');
  }
  o.push('## ARC chain', '');
  o.push(`Result: **${r.arc.result}**, ${r.arc.instances} hop${r.arc.instances === 1 ? '' : 's'}${r.arc.reason ? ` (${mdText(r.arc.reason)})` : ''}.`, '');
  if (r.arc.hops.length) {
    o.push('| hop | sealed by | cv | seal | message signature by | body hash | header signature |', '|---|---|---|---|---|---|---|');
    for (const h of r.arc.hops) o.push(`| ${h.instance} | ${cell(h.seal_domain)} (${cell(h.seal_selector)}) | ${cell(h.cv)} | ${h.seal_valid ? 'valid' : 'invalid'} | ${cell(h.ams_domain)} (${cell(h.ams_selector)}) | ${cell(h.body_hash)} | ${cell(h.header_signature)} |`);
    o.push('');
  }
  o.push('## Headers (summary)', '', `${r.headers.count} header fields, ${r.headers.received} Received.`, '');
  for (const h of r.headers.shown) o.push(`- ${cell(h.name)}: ${cell(h.value)}`);
  o.push('');
  o.push('## Attachments', '');
  if (!r.attachments.length) o.push('None.');
  for (const a of r.attachments) o.push(`- ${cell(a.filename ?? '(no name)')} (${cell(a.content_type)}, ${a.size} bytes) SHA-256 \`${a.sha256}\``);
  o.push('');
  return o.join('\n');
}
