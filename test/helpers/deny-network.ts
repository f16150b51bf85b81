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
net.connect = deny('net.connect');
net.createConnection = deny('net.createConnection');
net.Socket.prototype.connect = deny('net.Socket.connect');
syncBuiltinESMExports();
