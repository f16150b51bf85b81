/**
 * @module web/searchbox
 * The search box: the query language of CONTRACT.md, with suggestions for the word being
 * typed — field names, then the field's values from the case's facets (senders, domains,
 * verdicts, finding codes, years and months). ↑/↓ choose, Tab or Enter takes, Esc closes.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Facets } from './api.ts';
import { navigate, searchUrl } from './router.ts';
import { useT } from './ui.tsx';

export const FIELDS = ['from:', 'to:', 'cc:', 'subject:', 'domain:', 'date:', 'has:', 'filename:', 'verdict:', 'evidence:', 'thread:'] as const;
const VERDICTS = ['verified', 'tampered', 'unverifiable', 'suspicious'];

function lastDay(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** Value suggestions for one field, from the case's facets. */
export function fieldValues(field: string, f: Facets | null): { value: string; hint?: string }[] {
  const counts = (l: { value: string; count: number }[]) => l.map((v) => ({ value: v.value, hint: String(v.count) }));
  switch (field) {
    case 'from': case 'to': case 'cc': return f ? counts(f.senders) : [];
    case 'domain': return f ? counts(f.domains) : [];
    case 'verdict': return VERDICTS.map((v) => ({ value: v, hint: String(f?.verdicts.find((x) => x.value === v)?.count ?? '') }));
    case 'evidence': return f ? counts(f.evidence) : [];
    case 'has': return [{ value: 'attachment' }];
    case 'date': return f ? [
      ...f.years.map((y) => ({ value: `${y.value}-01-01..${y.value}-12-31`, hint: String(y.count) })),
      ...f.months.map((m) => ({ value: `${m.value}-01..${lastDay(m.value)}`, hint: String(m.count) })),
    ] : [];
    default: return [];
  }
}

/** The word under the cursor: its start and text. */
function currentWord(q: string, caret: number): { start: number; word: string } {
  let start = caret;
  while (start > 0 && !/\s|\(/.test(q[start - 1])) start--;
  return { start, word: q.slice(start, caret) };
}

export function suggest(q: string, caret: number, f: Facets | null): { label: string; insert: string; hint?: string }[] {
  const { word } = currentWord(q, caret);
  const neg = word.startsWith('-') ? '-' : '';
  const w = word.slice(neg.length).toLowerCase();
  if (!w) return [];
  const colon = w.indexOf(':');
  if (colon < 0) return FIELDS.filter((x) => x.startsWith(w) && x !== w).map((x) => ({ label: x, insert: neg + x }));
  const field = w.slice(0, colon);
  const partial = w.slice(colon + 1).replace(/^"/, '');
  return fieldValues(field, f)
    .filter((v) => v.value.toLowerCase().startsWith(partial) || (partial.length > 1 && v.value.toLowerCase().includes(partial)))
    .filter((v) => v.value.toLowerCase() !== partial)
    .slice(0, 10)
    .map((v) => ({ label: `${field}:${v.value}`, insert: `${neg}${field}:${/[\s()"]/.test(v.value) ? `"${v.value.replace(/"/g, '')}"` : v.value} `, hint: v.hint }));
}

export function SearchBox({ q, facets }: { q: string; facets: Facets | null }) {
  const t = useT();
  const [value, setValue] = useState(q);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setValue(q), [q]);
  const items = useMemo(() => (open ? suggest(value, caret, facets) : []), [value, caret, facets, open]);

  const take = (i: number) => {
    const s = items[i];
    if (!s) return;
    const { start } = currentWord(value, caret);
    const next = value.slice(0, start) + s.insert + value.slice(caret).replace(/^\S*/, '');
    setValue(next);
    const pos = start + s.insert.length;
    setCaret(pos);
    setActive(-1);
    // after the render; not if more was typed meanwhile (a frame can come late on a busy
    // machine, and moving the caret back then put the next letters in the wrong place)
    requestAnimationFrame(() => {
      if (input.current?.value === next) input.current.setSelectionRange(pos, pos);
    });
  };

  const onKey = (e: KeyboardEvent) => {
    if (items.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (e.key === 'ArrowDown' ? (a + 1) % items.length : (a <= 0 ? items.length - 1 : a - 1)));
    } else if (items.length && active >= 0 && (e.key === 'Enter' || e.key === 'Tab')) {
      e.preventDefault();
      take(active);
    } else if (e.key === 'Escape') {
      if (items.length) { e.stopPropagation(); setOpen(false); } else input.current?.blur();
    }
  };

  return (
    <form class="search" role="search" onSubmit={(e) => { e.preventDefault(); setOpen(false); input.current?.blur(); navigate(searchUrl(value)); }}>
      <div class="qwrap">
        <input id="q" ref={input} name="q" type="search" value={value} placeholder={t.searchPlaceholder} aria-label={t.search}
          autocomplete="off" spellcheck={false} role="combobox" list={undefined} aria-expanded={items.length > 0} aria-controls="q-suggest" aria-autocomplete="list"
          aria-activedescendant={active >= 0 ? `sg-${active}` : undefined}
          onInput={(e) => { const el = e.currentTarget; setValue(el.value); setCaret(el.selectionStart ?? el.value.length); setOpen(true); setActive(-1); }}
          onKeyDown={onKey} onBlur={() => setTimeout(() => setOpen(false), 150)} onFocus={() => setOpen(true)} />
        {items.length > 0 && (
          <ul id="q-suggest" class="suggest" role="listbox" aria-label={t.suggestions}>
            {items.map((s, i) => (
              <li id={`sg-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''}
                onMouseDown={(e) => { e.preventDefault(); take(i); }}>
                <span>{s.label}</span>{s.hint ? <span class="n">{s.hint}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="submit">{t.search}</button>
    </form>
  );
}
