import type { LoaderFunctionArgs } from "@remix-run/node";
import { createElement, type ComponentType } from "react";
import { renderToString } from "react-dom/server";
import type { RouteObject } from "react-router-dom";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import * as root from "~/root";
import { requestAs, testContext } from "./factories";

// A page as the server renders it before any JavaScript runs, for tests that check what a person
// would actually see. React's text separators (<!-- -->) are left out, so sentences read whole.

type RouteFunction = (args: LoaderFunctionArgs) => Promise<unknown>;
type RouteArgs = { request: Request; params: LoaderFunctionArgs["params"] };
export type PageModule = { loader: RouteFunction; action?: RouteFunction; default: ComponentType };

function pageRoute(route: PageModule, path: string): RouteObject {
  return {
    id: "page",
    path,
    loader: ({ request, params }: RouteArgs) => route.loader({ request, params, context: testContext }),
    action: route.action ? ({ request, params }: RouteArgs) => route.action!({ request, params, context: testContext }) : undefined,
    Component: route.default,
  };
}

async function render(routes: RouteObject[], request: Request) {
  const handler = createStaticHandler(routes);
  const context = await handler.query(request);
  if (context instanceof Response) throw new Error(`expected a page, got ${context.status}`);
  if (context.errors) throw new Error(`a loader or action failed: ${JSON.stringify(context.errors)}`);
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false })).replaceAll("<!-- -->", "");
}

/**
 * Renders `route` (matched by `pattern`, e.g. "/threads/:threadId") at `path` for `user`; with
 * `form`, the page as it comes back after posting that form.
 */
export async function renderPage(
  route: PageModule,
  pattern: string,
  user: { id: string } | null,
  path: string,
  form?: [string, string][],
) {
  const { request } = await requestAs(user, path);
  const sent = form
    ? new Request(request.url, {
        method: "POST",
        headers: new Headers([...request.headers, ["Content-Type", "application/x-www-form-urlencoded"]]),
        body: new URLSearchParams(form),
      })
    : request;
  return render([pageRoute(route, pattern)], sent);
}

/** Renders a page inside the app shell (header, navigation, bell), or the shell alone. */
export async function renderInShell(user: { id: string } | null, path: string, route?: PageModule) {
  const { request } = await requestAs(user, path);
  const child: RouteObject = route ? pageRoute(route, path.slice(1).split("?")[0]!) : { id: "page", path: "*", Component: () => null };
  const shell = root as unknown as PageModule;
  return render([{ id: "root", path: "/", loader: ({ request: r, params }: RouteArgs) => shell.loader({ request: r, params, context: testContext }), Component: shell.default, children: [child] }], request);
}
