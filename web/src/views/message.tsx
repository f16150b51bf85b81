/**
 * @module web/views/message
 * One message: verdict and why, header fields, the body (server-sanitised HTML in an iframe
 * with `sandbox=""` — no scripts, no same-origin, no forms, no popups — loaded from
 * /api/messages/:id/body.html under its own CSP; or the plain text), all headers, sources,
 * the evidence panel with each finding and the DKIM details, report downloads, attachments
 * with metadata, and tags and notes when the server has them.
 */
import { useState } from 'preact/hooks';
import { api, optional, type Annotations, type MessageView, type SessionUser } from '../api.ts';
import { addrList, Badge, ErrorBox, fmtBytes, fmtDate, Loading, useLoad, useT } from '../ui.tsx';

function Metadata({ meta }: { meta: Record<string, unknown> }) {
  const entries = Object.entries(meta).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (!entries.length) return null;
  return <dl class="meta">{entries.slice(0, 30).map(([k, v]) => <><dt>{k}</dt><dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></>)}</dl>;
}

function Evidence({ m }: { m: MessageView }) {
  const t = useT();
  const yes = (b: boolean | undefined) => (b ? t.yes : t.no);
  const base = `/api/messages/${m.id}/report`;
  return (
    <section class="panel evidence" aria-labelledby="ev-h">
      <h2 id="ev-h">{t.evidencePanel}</h2>
      <p class="verdict-line"><Badge verdict={m.verdict} /> {t.verdictHelp[m.verdict] ?? ''}</p>
      {m.evidence.length ? (
        <ul class="findings">{m.evidence.map((e) => <li class={`sev-${e.severity}`}><span class="sev">{e.severity}</span> <code>{e.code}</code><p>{e.detail}</p></li>)}</ul>
      ) : <p>{t.noEvidence}</p>}
      <h3>{t.dkim}</h3>
      {m.dkim.length ? m.dkim.map((s) => (
        <table class="dkim"><tbody>
          <tr><th>{t.domain}</th><td>{s.domain ?? ''}</td></tr>
          <tr><th>{t.selector}</th><td>{s.selector ?? ''}</td></tr>
          <tr><th>{t.result}</th><td><b class={`r-${s.result ?? ''}`}>{s.result ?? ''}</b></td></tr>
          <tr><th>{t.algorithm}</th><td>{s.algorithm ?? ''}</td></tr>
          <tr><th>{t.bodyHash}</th><td>{s.body_hash ?? ''}</td></tr>
          <tr><th>{t.headerSig}</th><td>{s.header_signature ?? ''}</td></tr>
          <tr><th>{t.aligned}</th><td>{yes(s.aligned)}</td></tr>
          <tr><th>{t.key}</th><td>{s.key ?? ''}</td></tr>
          {s.length_limit !== null && s.length_limit !== undefined && <tr><th>{t.lengthLimit}</th><td>{s.length_limit}</td></tr>}
          <tr><th>{t.signedHeaders}</th><td>{(s.signed_headers ?? []).join(', ')}</td></tr>
        </tbody></table>
      )) : <p>{t.noDkim}</p>}
      <p>{t.arc}: {m.arc.result}{m.arc.instances ? ` (${m.arc.instances})` : ''}</p>
      <p class="downloads">
        <a class="button report-html" href={`${base}?format=html`} download>{t.report} (HTML)</a>{' '}
        <a class="report-md" href={`${base}?format=md`} download>Markdown</a> · <a class="report-json" href={`${base}?format=json`} download>JSON</a>
      </p>
    </section>
  );
}

function AnnotationsPanel({ id, user }: { id: string; user: SessionUser | null }) {
  const t = useT();
  const path = `/api/messages/${id}/annotations`;
  const [a, reload] = useLoad((signal) => optional(api<Annotations>(path, { signal })), [id]);
  const [tag, setTag] = useState('');
  const [note, setNote] = useState('');
  const [err, setErr] = useState<Error | null>(null);
  if (a.state !== 'ok' || a.data === null) return null; // no annotations on this server
  const canEdit = !user || user.role !== 'viewer';
  const run = (p: Promise<unknown>, done?: () => void) => p.then(() => { setErr(null); done?.(); reload(); }, (e: Error) => setErr(e));
  return (
    <section class="panel annotations" aria-labelledby="an-h">
      <h2 id="an-h">{t.annotations}</h2>
      <h3>{t.tags}</h3>
      <ul class="tags">{a.data.tags.map((x) => (
        <li class="tag" title={`${x.by} · ${x.at}`}>{x.tag}
          {canEdit && <button type="button" class="link" aria-label={`${t.remove} ${x.tag}`} onClick={() => run(api(`/api/messages/${id}/tags/${encodeURIComponent(x.tag)}`, { method: 'DELETE' }))}>×</button>}</li>
      ))}</ul>
      {canEdit && (
        <form class="inline" onSubmit={(e) => { e.preventDefault(); if (tag.trim()) run(api(`/api/messages/${id}/tags`, { json: { tag: tag.trim() } }), () => setTag('')); }}>
          <input value={tag} onInput={(e) => setTag(e.currentTarget.value)} aria-label={t.addTag} placeholder={t.addTag} />
          <button type="submit">{t.addTag}</button>
        </form>
      )}
      <h3>{t.notes}</h3>
      <ul class="notes-list">{a.data.notes.map((n) => <li><p>{n.text}</p><small>{n.by} · {n.at}</small></li>)}</ul>
      {canEdit && (
        <form class="stack" onSubmit={(e) => { e.preventDefault(); if (note.trim()) run(api(`/api/messages/${id}/notes`, { json: { text: note.trim() } }), () => setNote('')); }}>
          <textarea value={note} onInput={(e) => setNote(e.currentTarget.value)} aria-label={t.addNote} rows={3} />
          <button type="submit">{t.addNote}</button>
        </form>
      )}
      {err && <ErrorBox error={err} />}
    </section>
  );
}

export function MessageViewPage({ id, user }: { id: string; user: SessionUser | null }) {
  const t = useT();
  const [res] = useLoad((signal) => api<MessageView>(`/api/messages/${encodeURIComponent(id)}`, { signal }), [id]);
  const [mode, setMode] = useState<'html' | 'text'>('html');
  if (res.state === 'loading') return <Loading />;
  if (res.state === 'error') return <ErrorBox error={res.error} />;
  const m = res.data;
  document.title = `${m.subject || m.id.slice(0, 12)} · trove`;
  const fields: [string, string][] = [
    [t.from, addrList(m.from)],
    [t.to, addrList(m.to)],
    ...(m.cc.length ? [[t.cc, addrList(m.cc)] as [string, string]] : []),
    [t.date, `${fmtDate(m.date, t)}${m.date_raw ? `  (${m.date_raw})` : ''}`],
    [t.messageId, m.message_id ?? '—'],
    [t.sha256, m.id],
    [t.size, fmtBytes(m.size)],
  ];
  const showHtml = m.html !== null && mode === 'html';
  return (
    <article class="message">
      <p class="crumbs">
        <a href="/" class="back" data-key="back">{t.backToResults}</a>
        {m.thread_id && <> · <a class="thread-link" href={`/threads/${encodeURIComponent(m.thread_id)}`}>{t.viewThread}</a></>}
        {' · '}<a class="raw-link" href={`/api/messages/${m.id}/raw`} download>{t.raw}</a>
      </p>
      <h1><Badge verdict={m.verdict} /> <span class="subj">{m.subject || t.noSubject}</span></h1>
      <div class="columns">
        <div class="main">
          <table class="fields"><tbody>{fields.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}</tbody></table>
          {m.html !== null && (
            <div class="tabs" role="tablist">
              <button type="button" role="tab" aria-selected={mode === 'html'} onClick={() => setMode('html')}>{t.viewHtml}</button>
              <button type="button" role="tab" aria-selected={mode === 'text'} onClick={() => setMode('text')}>{t.viewText}</button>
            </div>
          )}
          {showHtml ? (
            <>
              <div class="notes">
                {m.remote_blocked > 0 && <p class="blocked" role="status">{t.remoteBlocked(m.remote_blocked, m.remote_hosts)}</p>}
                <p class="sandbox">{t.sandboxNote}{m.links ? ` ${t.linksNote}` : ''}</p>
              </div>
              <iframe class="mailbody" title={t.body} sandbox="" referrerpolicy="no-referrer" src={`/api/messages/${m.id}/body.html`} />
            </>
          ) : <pre class="textbody">{m.text || t.noBody}</pre>}
          <details class="headers"><summary>{t.headers} ({m.headers.length})</summary>
            <table class="allheaders"><tbody>{m.headers.map((h) => <tr><th>{h.name}</th><td>{h.value}</td></tr>)}</tbody></table>
          </details>
          <section class="panel"><h2>{t.sources}</h2><ul class="sources">{m.sources.map((s) => <li><code>{s.locator}</code></li>)}</ul></section>
        </div>
        <div class="side">
          <Evidence m={m} />
          <section class="panel" aria-labelledby="att-h"><h2 id="att-h">{t.attachments}</h2>
            {m.attachments.length ? (
              <ul class="attachments">{m.attachments.map((a, i) => (
                <li><a href={`/api/messages/${m.id}/attachments/${i}`} download>{a.filename ?? `(${a.content_type})`}</a> <span class="ct">{a.content_type}</span> · {fmtBytes(a.size)}
                  <div class="sha">sha256 {a.sha256}</div><Metadata meta={a.metadata} /></li>
              ))}</ul>
            ) : <p>{t.noAttachments}</p>}
          </section>
          <AnnotationsPanel id={m.id} user={user} />
        </div>
      </div>
    </article>
  );
}
