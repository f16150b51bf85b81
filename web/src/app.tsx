/**
 * @module web/app
 * The client's shell: header (search box, views, language switch, session), the view for the
 * current route, the login form when the server asks for one, and the keyboard: / search,
 * j/k or ↑/↓ move through a list, Enter opens, Esc goes back.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, getSession, logout, onLoginNeeded, type Facets, type Session } from './api.ts';
import { pickLang, strings, type Lang } from './i18n.ts';
import { navigate, onLinkClick, useRoute, type Route } from './router.ts';
import { SearchBox } from './searchbox.tsx';
import { LangContext } from './ui.tsx';
import { MessageViewPage } from './views/message.tsx';
import { ForensicsView, LoginForm, StatusView, ThreadView } from './views/pages.tsx';
import { ProvenanceView } from './views/provenance.tsx';
import { SearchView } from './views/search.tsx';

const LANG_KEY = 'trove_lang';

function savedLang(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

function isTyping(el: EventTarget | null): boolean {
  const e = el as HTMLElement | null;
  return !!e && (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' || e.tagName === 'SELECT' || e.isContentEditable);
}

/** Depth of in-app navigation, so Esc goes back only to pages of the app. */
let depth = 0;

function routeKey(r: Route): string {
  return JSON.stringify(r);
}

export function App() {
  const route = useRoute();
  const [lang, setLang] = useState<Lang>(() => pickLang(savedLang(), navigator.languages ?? [navigator.language]));
  const t = strings(lang);
  const [session, setSession] = useState<Session | null>(null);
  const [needLogin, setNeedLogin] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [selected, setSelected] = useState(-1);
  const [facets, setFacets] = useState<Facets | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    getSession().then((s) => {
      setSession(s);
      if (s.mode === 'users' && !s.user) setNeedLogin(true);
    }, () => setSession({ mode: 'open', user: null, csrf: null }));
    return onLoginNeeded(() => setSession((s) => {
      if (s?.mode === 'users') setNeedLogin(true);
      return s;
    }));
  }, []);

  useEffect(() => {
    if (needLogin) return;
    api<Facets>('/api/facets?size=50').then(setFacets, () => setFacets(null));
  }, [needLogin, reloadKey]);

  const key = routeKey(route);
  useEffect(() => {
    setSelected(-1);
    if (route.view !== 'message') document.title = 'trove';
  }, [key]);

  // count in-app navigations (not the first page) for Esc
  useEffect(() => {
    const f = () => { depth = Math.max(0, depth - 1); };
    window.addEventListener('popstate', f);
    const push = history.pushState.bind(history);
    history.pushState = (...a: Parameters<History['pushState']>) => { depth++; push(...a); };
    return () => window.removeEventListener('popstate', f);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const items = [...document.querySelectorAll<HTMLElement>('#list .hit')];
      if (e.key === '/') {
        e.preventDefault();
        const q = document.getElementById('q') as HTMLInputElement | null;
        q?.focus();
        q?.select();
      } else if ((e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') && items.length) {
        e.preventDefault();
        const down = e.key === 'j' || e.key === 'ArrowDown';
        setSelected((s) => {
          const n = Math.max(0, Math.min(items.length - 1, down ? s + 1 : s < 0 ? 0 : s - 1));
          items[n]?.scrollIntoView({ block: 'nearest' });
          return n;
        });
      } else if (e.key === 'Enter') {
        const el = document.querySelector<HTMLElement>('#list .hit.selected');
        if (el?.dataset.href && (document.activeElement === document.body || el.contains(document.activeElement))) {
          e.preventDefault();
          navigate(el.dataset.href);
        }
      } else if (e.key === 'Escape') {
        if (location.pathname === '/' && !location.search) return;
        e.preventDefault();
        if (depth > 0) history.back();
        else navigate('/');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const switchLang = () => {
    const next: Lang = lang === 'en' ? 'fr' : 'en';
    try {
      localStorage.setItem(LANG_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    setLang(next);
  };

  const user = session?.user ?? null;
  const canEdit = !user || user.role !== 'viewer';
  let view;
  if (needLogin) view = <LoginForm onDone={(u) => { setSession((s) => (s ? { ...s, user: u } : s)); setNeedLogin(false); setReloadKey((k) => k + 1); }} />;
  else if (!session) view = null;
  else if (route.view === 'search') view = <SearchView q={route.q} offset={route.offset} sort={route.sort} selected={selected} canEdit={canEdit} />;
  else if (route.view === 'message') view = <MessageViewPage id={route.id} user={user} />;
  else if (route.view === 'thread') view = <ThreadView id={route.id} selected={selected} />;
  else if (route.view === 'status') view = <StatusView />;
  else if (route.view === 'forensics') view = <ForensicsView />;
  else if (route.view === 'provenance') view = <ProvenanceView />;
  else view = <p class="error" role="alert">{t.notFound}: <code>{route.path}</code></p>;

  return (
    <LangContext.Provider value={{ lang, t }}>
      <div class="app" onClick={(e) => onLinkClick(e as unknown as MouseEvent)}>
        <header class="top">
          <a class="brand" href="/">trove</a>
          <SearchBox q={route.view === 'search' ? route.q : ''} facets={facets} />
          <nav>
            <a href="/status">{t.status}</a>
            <a href="/forensics">{t.forensics}</a>
            <a href="/provenance">{t.provenance}</a>
            <button type="button" class="link lang" onClick={switchLang} lang={t.otherLang}>{t.language}</button>
            {user && session?.mode === 'users' && (
              <button type="button" class="link" title={`${user.name} (${user.role})`}
                onClick={() => logout().finally(() => { setSession((s) => (s ? { ...s, user: null } : s)); setNeedLogin(true); })}>{t.logout} {user.name}</button>
            )}
          </nav>
        </header>
        <main key={reloadKey}>{view}</main>
        <footer class="keys">{t.keysHelp}</footer>
      </div>
    </LangContext.Provider>
  );
}
