import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { json } from "@remix-run/node";
import { Form, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { ErrorPage } from "~/components/error-page";
import { useFastLinkNavigation } from "~/components/fast-link";
import { navigationFor, ROLE_LABELS } from "~/auth/permissions";
import { rootData } from "~/root.server";
import { useNonce, useRequestId } from "~/nonce";
import stylesheet from "~/styles.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { data, headers } = await rootData(request);
  return json(data, { headers });
}

export type RootData = Awaited<ReturnType<typeof rootData>>["data"];

// The bell's count lives in this loader, which Remix would otherwise re-run only after a form
// submission; re-running it on every navigation keeps the count current as people move around.
export const shouldRevalidate: ShouldRevalidateFunction = ({ defaultShouldRevalidate, currentUrl, nextUrl }) =>
  defaultShouldRevalidate || currentUrl.pathname !== nextUrl.pathname;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const requestId = useRequestId();
  return (
    <html lang="en" className="h-full" data-request-id={requestId || undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-full">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Shell({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <a href={user ? "/" : "/login"} className="flex items-center gap-2 text-lg font-semibold text-brand-800 no-underline">
            <img src="/favicon.svg" alt="" width={24} height={24} />
            Cairn
          </a>
          {user ? (
            <nav aria-label="Main" className="order-3 w-full overflow-x-auto sm:order-none sm:w-auto">
              <ul className="flex flex-wrap gap-1">
                {navigationFor(user.role).map((item) => (
                  <li key={item.to}>
                    <NavLink
                      to={item.to}
                      end={item.to === "/admin"}
                      className={({ isActive }) =>
                        `block rounded-md px-3 py-1.5 text-sm no-underline ${isActive ? "bg-brand-50 font-medium text-brand-800" : "text-stone-700 hover:bg-stone-100"}`
                      }
                    >
                      {item.label}
                    </NavLink>
                  </li>
                ))}
                {data?.demo ? (
                  <li>
                    <NavLink to="/dev/outbox" className="block rounded-md px-3 py-1.5 text-sm text-stone-700 no-underline hover:bg-stone-100">
                      Outbox
                    </NavLink>
                  </li>
                ) : null}
              </ul>
            </nav>
          ) : null}
          {user ? (
            <div className="ml-auto flex items-center gap-3">
              <NotificationsLink unread={data?.unread ?? 0} />
              <p className="text-right text-sm leading-tight">
                <span className="sr-only">Signed in as </span>
                <span className="block font-medium">{user.name}</span>
                <span className="sr-only">, </span>
                <span className="block text-stone-600">{ROLE_LABELS[user.role]}</span>
              </p>
              <Form method="post" action="/logout">
                <button type="submit" className="btn-secondary">
                  Sign out
                </button>
              </Form>
            </div>
          ) : null}
        </div>
      </header>
      {data?.flash ? (
        <div
          role="status"
          className={`mx-auto mt-4 max-w-6xl rounded-md border px-4 py-2 text-sm ${data.flash.kind === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-brand-100 bg-brand-50 text-brand-800"}`}
        >
          {data.flash.message}
        </div>
      ) : null}
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </>
  );
}

/** The bell: its accessible name carries the count ("Notifications, 3 unread"); the badge shows it. */
function NotificationsLink({ unread }: { unread: number }) {
  return (
    <NavLink
      to="/notifications"
      className={({ isActive }) =>
        `relative inline-flex items-center gap-1.5 rounded-md px-2 py-1.5 text-sm no-underline ${isActive ? "bg-brand-50 font-medium text-brand-800" : "text-stone-700 hover:bg-stone-100"}`
      }
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" width={18} height={18} fill="currentColor">
        <path d="M10 2a5 5 0 0 0-5 5v2.6c0 .5-.2 1-.5 1.4L3.3 12.6A1 1 0 0 0 4 14.3h12a1 1 0 0 0 .7-1.7L15.5 11c-.3-.4-.5-.9-.5-1.4V7a5 5 0 0 0-5-5Zm-2 13.5a2 2 0 0 0 4 0H8Z" />
      </svg>
      <span>Notifications</span>
      {unread > 0 ? (
        <>
          <span aria-hidden="true" className="badge bg-red-700 text-white">
            {unread > 99 ? "99+" : unread}
          </span>
          <span className="sr-only">, {unread} unread</span>
        </>
      ) : null}
    </NavLink>
  );
}

export default function App() {
  useLoaderData<typeof loader>();
  useFastLinkNavigation();
  return (
    <Shell>
      <Outlet />
    </Shell>
  );
}

export function ErrorBoundary() {
  return (
    <Shell>
      <ErrorPage />
    </Shell>
  );
}
