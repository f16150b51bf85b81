/**
 * Preloaded into CLI tests (`NODE_OPTIONS=--import=…/deny-network.ts`): any DNS lookup or outgoing
 * connection throws, so a test that would touch the network fails instead of quietly using it.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const deny = (what: string) => () => {
  throw Object.assign(new Error(`network access denied in tests (${what})`), { code: 'EDENIED' });
};
const denyAsync = (what: string) => () => Promise.reject(Object.assign(new Error(`network access denied in tests (${what})`), { code: 'EDENIED' }));
const dns = require('node:dns') as Record<string, unknown> & { promises: Record<string, unknown>; Resolver: { prototype: Record<string, unknown> } };
for (const k of Object.keys(dns)) if (/^(lookup|lookupService|resolve\w*|reverse)$/.test(k)) dns[k] = deny(`dns.${k}`);
for (const k of Object.getOwnPropertyNames(dns.Resolver.prototype)) if (/^(resolve\w*|reverse)$/.test(k)) dns.Resolver.prototype[k] = deny(`dns.Resolver.${k}`);
const dnsp = require('node:dns/promises') as Record<string, unknown> & { Resolver: { prototype: Record<string, unknown> } };
for (const k of Object.keys(dnsp)) if (/^(lookup|lookupService|resolve\w*|reverse)$/.test(k)) dnsp[k] = denyAsync(`dns.promises.${k}`);
for (const k of Object.getOwnPropertyNames(dnsp.Resolver.prototype)) if (/^(resolve\w*|reverse)$/.test(k)) dnsp.Resolver.prototype[k] = denyAsync(`dns.promises.Resolver.${k}`);
const net = require('node:net') as Record<string, unknown> & { Socket: { prototype: Record<string, unknown> } };
// Loopback stays open: the PostgreSQL back-end's tests talk to a throw-away server on 127.0.0.1.
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
function loopback(args: unknown[]): boolean {
  let a = args[0];
  if (Array.isArray(a)) a = a[0]; // internal normalized form [options, cb]
  if (typeof a === 'object' && a !== null) {
    const o = a as { host?: string; path?: string };
    return typeof o.path === 'string' || LOOPBACK.has(o.host ?? 'localhost');
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return true; // a unix socket path
  return typeof args[1] === 'string' ? LOOPBACK.has(args[1]) : args[1] === undefined || typeof args[1] === 'function';
}
const guard = (what: string, orig: unknown) =>
  function (this: unknown, ...args: unknown[]) {
    if (loopback(args)) return (orig as (...a: unknown[]) => unknown).apply(this, args);
    return deny(what)();
  };
net.connect = guard('net.connect', net.connect);
net.createConnection = guard('net.createConnection', net.createConnection);
net.Socket.prototype.connect = guard('net.Socket.connect', net.Socket.prototype.connect);
syncBuiltinESMExports();
