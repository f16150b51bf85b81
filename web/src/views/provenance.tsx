/**
 * @module web/views/provenance
 * Provenance: paste a circulating quote or upload a document; the server aligns it with the
 * case (POST /api/provenance) and each match comes back with its similarity, verdict and a
 * word-level diff (source words struck through, the quote's own words underlined).
 */
import { useState } from 'preact/hooks';
import { api, type DiffOp, type ProvenanceResult } from '../api.ts';
import { Badge, ErrorBox, fmtDate, Loading, useT } from '../ui.tsx';

function Diff({ ops }: { ops: DiffOp[] }) {
  return (
    <p class="diff">{ops.map((o, i) => {
      const sp = i ? ' ' : '';
      if (o.op === 'equal') return <span>{sp}{o.quote ?? o.source}</span>;
      if (o.op === 'inserted') return <>{sp}<ins class={`k-${o.kind ?? 'word'}`}>{o.quote}</ins></>;
      if (o.op === 'deleted') return <>{sp}<del class={`k-${o.kind ?? 'word'}`}>{o.source}</del></>;
      return <>{sp}<del class={`k-${o.kind ?? 'word'}`}>{o.source}</del> <ins class={`k-${o.kind ?? 'word'}`}>{o.quote}</ins></>;
    })}</p>
  );
}

export function ProvenanceView() {
  const t = useT();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<{ s: 'idle' } | { s: 'loading' } | { s: 'ok'; r: ProvenanceResult } | { s: 'error'; e: Error }>({ s: 'idle' });
  const submit = (e: Event) => {
    e.preventDefault();
    let p: Promise<ProvenanceResult>;
    if (file) {
      const form = new FormData();
      form.set('file', file);
      p = api<ProvenanceResult>('/api/provenance', { form });
    } else if (text.trim()) p = api<ProvenanceResult>('/api/provenance', { json: { text } });
    else return;
    setState({ s: 'loading' });
    p.then((r) => setState({ s: 'ok', r }), (x: Error) => setState({ s: 'error', e: x }));
  };
  return (
    <section class="provenance">
      <h1>{t.provenance}</h1>
      <p class="help">{t.provenanceHelp}</p>
      <form class="stack panel" onSubmit={submit}>
        <label>{t.pasteText}<textarea name="text" rows={6} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
        <label>{t.orFile} <input name="file" type="file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} /></label>
        <button type="submit">{t.findSource}</button>
      </form>
      {state.s === 'loading' && <Loading />}
      {state.s === 'error' && <ErrorBox error={state.e} />}
      {state.s === 'ok' && (
        <div class="prov-results">
          <p class="prov-summary">{state.r.found ? <strong>{t.match}</strong> : t.noMatch} · {t.threshold} {state.r.threshold}{state.r.input.sha256 ? ` · sha256 ${state.r.input.sha256}` : ''}</p>
          <ol class="hits">{state.r.matches.map((m) => (
            <li class={`hit prov${m.match ? ' is-match' : ''}`}>
              <div class="line1"><Badge verdict={m.verdict} /> <a class="subject" href={`/messages/${m.id}`}>{m.subject || t.noSubject}</a>
                <span class="sim"> {t.similarity} {m.similarity.toFixed(3)}{m.match ? ` · ${t.match}` : ''}{m.exact ? ` · ${t.exactCopy(m.exact)}` : ''}</span></div>
              <div class="line2"><time>{fmtDate(m.date, t)}</time>{m.locator && <> · <code>{m.locator}</code></>}{m.attachment && <> · {m.attachment.filename ?? `#${m.attachment.idx}`}</>}</div>
              {m.changes.numbers.length > 0 && <p class="changes"><b>{t.changedNumbers}:</b> {m.changes.numbers.map((o) => `${o.source ?? '∅'} → ${o.quote ?? '∅'}`).join(' · ')}</p>}
              {m.changes.names.length > 0 && <p class="changes"><b>{t.changedNames}:</b> {m.changes.names.map((o) => `${o.source ?? '∅'} → ${o.quote ?? '∅'}`).join(' · ')}</p>}
              {m.diff.length > 0 && <Diff ops={m.diff} />}
              {m.message_diff && m.message_diff.headers.length > 0 && (
                <table class="items hdr-diff"><tbody>{m.message_diff.headers.map((c) => (
                  <tr><td><code>{c.op === 'added' ? '+' : c.op === 'removed' ? '−' : '≠'} {c.name}</code></td><td><del>{c.source ?? ''}</del></td><td><ins>{c.input ?? ''}</ins></td></tr>
                ))}</tbody></table>
              )}
              {m.metadata && m.metadata.differs.length > 0 && (
                <table class="items meta-diff"><tbody>{m.metadata.fields.filter((x) => !x.same).map((x) => (
                  <tr><td><code>≠ {x.field}</code></td><td><del>{String(x.source ?? '∅')}</del></td><td><ins>{String(x.input ?? '∅')}</ins></td></tr>
                ))}</tbody></table>
              )}
            </li>
          ))}</ol>
        </div>
      )}
    </section>
  );
}
