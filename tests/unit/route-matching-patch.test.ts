import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { useLoaderData, type RouteObject } from "react-router-dom";
import type * as ReactRouterServer from "react-router-dom/server";
import { UNSAFE_flatRoutes as flatRoutes } from "@remix-run/dev";
import type * as RouterModule from "@remix-run/router";
import { describe, expect, it } from "vitest";
import remixConfig from "../../remix.config.js";
import { APP_DIRECTORY, discoverRoutes, fillPattern } from "../support/route-matrix";

// patches/@remix-run+router+*.patch (applied by `npm install`, patch-package) makes the router
// Node loads keep each route list's ranked branches and each compiled path, instead of working
// them out on every match. Matching must answer exactly as the unpatched router does: here the
// browser's build (the ES module, left as it is) is the reference, on the app's own route tree.

type Router = typeof RouterModule;
type RouteNode = { id: string; path?: string; index?: boolean; children: RouteNode[] };

const require = createRequire(import.meta.url);
const nodeRouterFile = require.resolve("@remix-run/router");
const patched = require("@remix-run/router") as Router;
const reference = (await import("@remix-run/router/dist/router.js")) as unknown as Router;

/** The app's routes as a tree, the way Remix hands them to the router. */
function appRoutes(): RouteNode[] {
  const manifest = flatRoutes(APP_DIRECTORY, remixConfig.ignoredRouteFiles ?? []) as Record<
    string,
    { id: string; parentId?: string; path?: string; index?: boolean }
  >;
  const nodes = new Map<string, RouteNode>();
  for (const entry of Object.values(manifest)) nodes.set(entry.id, { id: entry.id, path: entry.path, index: entry.index, children: [] });
  const roots: RouteNode[] = [{ id: "root", path: "", children: [] }];
  for (const entry of Object.values(manifest)) (entry.parentId && nodes.get(entry.parentId) ? nodes.get(entry.parentId)!.children : roots[0]!.children).push(nodes.get(entry.id)!);
  // The router's route objects: index routes have no children.
  const shape = (node: RouteNode): object => (node.index ? { id: node.id, index: true, path: node.path } : { id: node.id, path: node.path, children: node.children.map(shape) });
  return roots.map(shape) as RouteNode[];
}

function matched(router: Router, routes: RouteNode[], url: string) {
  return router.matchRoutes(routes as never, url)?.map((m) => ({ id: m.route.id, pathname: m.pathname, base: m.pathnameBase, params: m.params })) ?? null;
}

describe("the patched route matching", () => {
  it("is the router Node loads", () => {
    expect(fs.readFileSync(nodeRouterFile, "utf8")).toContain("Patched for Cairn");
  });

  it("matches every address of the app as the unpatched router does, the first time and every time after", () => {
    const routes = appRoutes();
    const id = "7364c081-589c-4bca-b677-30bdebb21d73";
    const values = new Proxy({}, { get: () => id }) as Record<string, string>;
    const urls = [
      ...discoverRoutes().map((r) => fillPattern(r.pattern, values)),
      "/",
      "/cases/",
      "/CASES/" + id,
      "/cases/" + id + "/plans/" + id + "/",
      "/threads/with%20space",
      "/no/such/page/at/all",
      "/cases/" + id + "/export.json",
    ];
    expect(urls.length).toBeGreaterThan(40);
    for (const url of urls) {
      const expected = matched(reference, routes, url);
      expect(expected, url).not.toBeNull();
      expect(matched(patched, routes, url), url).toEqual(expected);
      expect(matched(patched, routes, url), `${url}, again`).toEqual(expected);
    }
  });

  it("matches as the unpatched router does on nested layouts, index routes, optional segments, splats and case", () => {
    const routes = [
      {
        id: "root",
        path: "",
        children: [
          { id: "home", index: true },
          { id: "cases", path: "cases", children: [{ id: "cases-index", index: true }, { id: "case", path: ":caseId", children: [{ id: "case-plans", path: "plans/:planId?" }] }] },
          { id: "export", path: "cases/:caseId/export.json" },
          { id: "exact", path: "Reports/Weekly", caseSensitive: true },
          { id: "lang", path: ":lang?/about" },
          { id: "files", path: "files/*" },
          { id: "café", path: "café/menu" },
          { id: "absolute", path: "/login/two-factor" },
          { id: "anything", path: "*" },
        ],
      },
    ];
    const urls = [
      "/", "/cases", "/cases/", "/Cases", "/CASES/", "/cases/7", "/cases/7/", "/cases/7/plans", "/cases/7/plans/9", "/cases/7/export.json",
      "/Reports/Weekly", "/reports/weekly", "/about", "/en/about", "/EN/About", "/files", "/files/a/b.txt", "/caf%C3%A9/menu", "/café/menu",
      "/CAFÉ/MENU", "/login/two-factor", "/login", "//cases//7", "/no/such/page", "/cases%2F7",
    ];
    for (const url of urls) {
      const expected = matched(reference, routes as never, url);
      expect(matched(patched, routes as never, url), url).toEqual(expected);
      expect(matched(patched, routes as never, url), `${url}, again`).toEqual(expected);
    }
  });

  it("renders each page's own data from data routes kept per route list (react-router-dom, @remix-run/react)", async () => {
    for (const [name, file] of [
      ["react-router-dom", require.resolve("react-router-dom/server")],
      ["@remix-run/react", path.join(path.dirname(require.resolve("@remix-run/react")), "server.js")],
    ]) {
      expect(fs.readFileSync(file!, "utf8"), name).toContain("Patched for Cairn");
    }
    // Node's own (CommonJS) build, the one @remix-run/react requires, not the ES module tests import.
    const server = require("react-router-dom/server") as typeof ReactRouterServer;
    function Greeting() {
      return createElement("p", null, `Hello, ${String(useLoaderData())}`);
    }
    const list: RouteObject[] = [{ id: "root", path: "/", children: [{ id: "hello", path: "hello/:name", loader: ({ params }) => params.name ?? null, Component: Greeting }] }];
    const handler = server.createStaticHandler(list);
    const render = async (name: string) => {
      const context = await handler.query(new Request(`http://cairn.test/hello/${name}`));
      if (context instanceof Response) throw new Error("expected a page");
      const router = server.createStaticRouter(handler.dataRoutes, context);
      return { router, html: renderToStaticMarkup(createElement(server.StaticRouterProvider, { router, context, hydrate: false })) };
    };
    const ana = await render("Ana");
    const bo = await render("Bo");
    // The second router is built on the data routes the first made…
    expect(bo.router.routes).toBe(ana.router.routes);
    // …and each renders its own request's data.
    expect(ana.html).toBe("<p>Hello, Ana</p>");
    expect(bo.html).toBe("<p>Hello, Bo</p>");
  });

  it("keeps no state in a compiled path between uses", () => {
    for (let i = 0; i < 3; i++) {
      expect(patched.matchPath("/cases/:caseId", "/cases/a")?.params).toEqual({ caseId: "a" });
      expect(patched.matchPath("/cases/:caseId", "/cases/b")?.params).toEqual({ caseId: "b" });
      expect(patched.matchPath({ path: "/Cases/:caseId", caseSensitive: true }, "/cases/b")).toBeNull();
      expect(patched.matchPath({ path: "/cases", end: false }, "/cases/b")?.pathnameBase).toBe("/cases");
    }
  });
});
