import { AsyncLocalStorage } from "node:async_hooks";

// Remix gives each loader of a page its own copy of the Request, so a cache keyed by the
// request object never sees the page's other loaders. server/index.ts runs every page load
// (GET or HEAD, which only read) in a scope, and lookups that several loaders of one page need
// (who is signed in, the case they are looking at) are made once per scope. Form posts get no
// scope: an action may change exactly what a later lookup would read.
//
// The storage lives on globalThis: the server entry and the app bundle each load this module.

type Scope = Map<string, unknown>;
const holder = globalThis as typeof globalThis & { __cairnRequestScope?: AsyncLocalStorage<Scope> };
const storage = (holder.__cairnRequestScope ??= new AsyncLocalStorage<Scope>());

/** Runs `fn` (one request's handling) in a fresh scope when the request only reads. */
export function runInRequestScope<T>(method: string, fn: () => T): T {
  return method === "GET" || method === "HEAD" ? storage.run(new Map(), fn) : fn();
}

/** `create()` once per scope and key; outside a scope (form posts, tests), every time. */
export function oncePerRequest<T>(key: string, create: () => T): T {
  const scope = storage.getStore();
  if (!scope) return create();
  if (!scope.has(key)) scope.set(key, create());
  return scope.get(key) as T;
}
