/**
 * @module report/html
 * The authenticity report as one static HTML file: no scripts, no remote resources (fonts,
 * images, stylesheets), inline CSS only, so it opens the same way offline, in a mail client or
 * years later, and cannot call home. Every message-derived string goes through {@link esc}; a
 * Content-Security-Policy meta tag forbids scripts and remote loads as a second line of defence.
 */
import type { AuthenticityReport } from './model.ts';
import type { Evidence } from '../auth/types.ts';

export function esc(s: string | number | boolean | null | undefined): string {
  if (s === null || s === undefined || s === '') return '–';
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ccc;margin-top:2rem}h3{font-size:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4;width:14rem}code{font-size:.85em;word-break:break-all}
.verdict{font-size:1.3rem;font-weight:bold;padding:.5rem 1rem;border-radius:4px;display:inline-block}
.verified{background:#dff3e0}.tampered{background:#fbdcdc}.unverifiable{background:#eee}.suspicious{background:#fdf0cf}
.critical{color:#a00;font-weight:bold}.warning{color:#8a5a00}.info{color:#555}ul{padding-left:1.2rem}`;

function evidenceList(ev: readonly Evidence[]): string {
  if (!ev.length) return '<p>No findings.</p>';
  return `<ul>${ev.map((e) => `<li><span class="${esc(e.severity)}">${esc(e.severity)}</span> <code>${esc(e.code)}</code>: ${esc(e.detail)}</li>`).join('')}</ul>`;
}

const row = (k: string, v: string): string => `<tr><th>${k}</th><td>${v}</td></tr>`;

export function renderHtml(r: AuthenticityReport): string {
  const m = r.message;
  const verdictClass = ['verified', 'tampered', 'unverifiable', 'suspicious'].includes(r.verdict) ? r.verdict : 'unverifiable';
  const o: string[] = [];
  o.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>Authenticity report: ${esc(m.subject || '(no subject)')}</title>`, `<style>${CSS}</style></head><body>`);
  o.push(`<h1>Authenticity report: ${esc(m.subject || '(no subject)')}</h1>`);
  o.push(`<p>Generated ${esc(r.generated_at)} by trove ${esc(r.trove_version)} (${esc(r.format)}).</p>`);
  o.push(`<p class="verdict ${verdictClass}">Verdict: ${esc(r.verdict.toUpperCase())}</p>`);
  o.push('<h2>What this proves and what it does not</h2>', `<p>${esc(r.proves)}</p>`, `<p>${esc(r.does_not_prove)}</p>`);
  o.push('<h2>Check it yourself</h2>', `<pre>${esc(r.reproduce)}</pre>`);
  o.push('<h2>Message identity</h2><table>');
  o.push(row('SHA-256 of the raw message', `<code>${esc(m.sha256)}</code>`), row('Size', `${esc(m.size)} bytes (${esc(m.origin)})`), row('Message-ID', esc(m.message_id)));
  o.push(row('Date', `${esc(m.date)}${m.date_raw ? ` (as written: ${esc(m.date_raw)})` : ''}`), row('From', esc(m.from.join(', '))), row('To', esc(m.to.join(', '))));
  if (m.cc.length) o.push(row('Cc', esc(m.cc.join(', '))));
  o.push(row('Subject', esc(m.subject)), '</table>');
  o.push('<h2>Chain of custody</h2><p>Every place these exact bytes were found, with each container up to the file that was ingested:</p><ul>');
  for (const s of r.sources) {
    o.push(`<li><code>${esc(s.locator)}</code>${s.ingested_at ? ` — ingested ${esc(s.ingested_at)}${s.ingested_by ? ` by ${esc(s.ingested_by)}` : ''}` : ''}`);
    if (s.containers.length) o.push(`<ul>${s.containers.map((c) => `<li>in <code>${esc(c.locator)}</code> (${esc(c.format)}, ${esc(c.size)} bytes) SHA-256 <code>${esc(c.sha256)}</code></li>`).join('')}</ul>`);
    o.push('</li>');
  }
  o.push('</ul>');
  o.push('<h2>Evidence</h2>', evidenceList(r.evidence));
  o.push('<h2>DKIM signatures</h2>');
  if (!r.dkim.length) o.push('<p>The message carries no DKIM signature.</p>');
  for (const s of r.dkim) {
    const k = s.key;
    const key = k.origin === 'missing'
      ? `${esc(s.key_name)}: not in the archive`
      : `${esc(s.key_name)}: ${k.type === 'rsa' ? `RSA ${esc(k.bits)} bits` : esc(k.type)}, ${esc(k.status)}, from ${k.origin === 'dns' ? 'DNS (trove keys fetch)' : 'the case archive'}, first seen ${esc(k.first_seen)}, last seen ${esc(k.last_seen)}`;
    o.push(`<h3>Signature ${s.index + 1}: ${esc(s.domain || '(no domain)')}</h3><table>`);
    o.push(row('Result', `${esc(s.result)}${s.error ? ` (${esc(s.error)})` : ''}`), row('Body hash', esc(s.body_hash)), row('Header signature', esc(s.header_signature)));
    o.push(row('Signer (d=) / selector (s=)', `${esc(s.domain)} / ${esc(s.selector)}`), row('Sender\'s domain (aligned)', s.aligned ? 'yes' : 'no'));
    o.push(row('Algorithm / canonicalization', `${esc(s.algorithm)} / ${esc(s.canonicalization)}`), row('Signed at (t=) / expires (x=)', `${esc(s.signed_at)} / ${esc(s.expires_at)}`));
    o.push(row('Body length limit (l=)', `${esc(s.length_limit)}${s.unsigned_body_bytes ? `, ${esc(s.unsigned_body_bytes)} unsigned bytes follow` : ''}`));
    o.push(row('Signed headers (h=)', esc(s.signed_headers.join(', '))), row('Key', key), '</table>');
    if (s.evidence.length) o.push(evidenceList(s.evidence));
  }
  o.push('<h2>ARC chain</h2>', `<p>Result: <strong>${esc(r.arc.result)}</strong>, ${esc(r.arc.instances)} hop(s)${r.arc.reason ? ` (${esc(r.arc.reason)})` : ''}.</p>`);
  if (r.arc.hops.length) {
    o.push('<table><tr><th>hop</th><th>sealed by</th><th>cv</th><th>seal</th><th>message signature by</th><th>body hash</th><th>header signature</th></tr>');
    for (const h of r.arc.hops) o.push(`<tr><td>${esc(h.instance)}</td><td>${esc(h.seal_domain)} (${esc(h.seal_selector)})</td><td>${esc(h.cv)}</td><td>${h.seal_valid ? 'valid' : 'invalid'}</td><td>${esc(h.ams_domain)} (${esc(h.ams_selector)})</td><td>${esc(h.body_hash)}</td><td>${esc(h.header_signature)}</td></tr>`);
    o.push('</table>');
  }
  o.push('<h2>Headers (summary)</h2>', `<p>${esc(r.headers.count)} header fields, ${esc(r.headers.received)} Received.</p><table>`);
  for (const h of r.headers.shown) o.push(row(esc(h.name), esc(h.value)));
  o.push('</table>');
  o.push('<h2>Attachments</h2>');
  if (!r.attachments.length) o.push('<p>None.</p>');
  else o.push(`<table><tr><th>name</th><th>type</th><th>size</th><th>SHA-256</th></tr>${r.attachments.map((a) => `<tr><td>${esc(a.filename ?? '(no name)')}</td><td>${esc(a.content_type)}</td><td>${esc(a.size)}</td><td><code>${esc(a.sha256)}</code></td></tr>`).join('')}</table>`);
  o.push('</body></html>', '');
  return o.join('\n');
}
