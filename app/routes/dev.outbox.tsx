import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorPage } from "~/components/error-page";
import { Pagination } from "~/components/data-table";
import { env } from "~/env.server";
import { notFound } from "~/models/errors.server";
import { listOutbox } from "~/models/outbox.server";

export const meta: MetaFunction = () => [{ title: "Outbox (demo) · Cairn" }];

const query = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1) });

// Demo mode only: lets a newcomer follow invitation and reset links without a mail server.
// Outside demo mode the page does not exist.
export async function loader({ request }: LoaderFunctionArgs) {
  if (!env().CAIRN_DEMO) throw notFound();
  const { page } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const perPage = 20;
  const { rows, total } = await listOutbox({ page, perPage });
  return json({ rows, total, page, perPage });
}

export default function OutboxPage() {
  const { rows, total, page, perPage } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-4">
      <h1>Outbox</h1>
      <p className="text-sm text-stone-700">
        Every email Cairn sends, newest first. This page exists only in demo mode, so you can follow links without a mail server.
      </p>
      {rows.length === 0 ? <p className="card">No emails yet.</p> : null}
      <ol className="space-y-3">
        {rows.map((email) => (
          <li key={email.id} className="card space-y-2">
            <article aria-label={`Email to ${email.toAddress}: ${email.subject}`}>
              <h2 className="text-base">{email.subject}</h2>
              <p className="text-sm text-stone-600">
                To {email.toAddress} · {new Date(email.createdAt).toUTCString()} · {email.status}
              </p>
              <pre className="mt-2 whitespace-pre-wrap font-sans text-sm">{email.textBody}</pre>
              {email.link ? (
                <p className="mt-2">
                  <a href={email.link}>Open the link in this email</a>
                </p>
              ) : null}
            </article>
          </li>
        ))}
      </ol>
      <Pagination page={page} perPage={perPage} total={total} label="emails" />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
