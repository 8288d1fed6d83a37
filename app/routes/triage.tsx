import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";

export const meta: MetaFunction = () => [{ title: "Triage · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "staff.workspace");
  return json({ name: user.name });
}

export default function TriagePage() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <section className="space-y-3" aria-labelledby="triage-title">
      <h1 id="triage-title">Triage</h1>
      <div className="card">
        <p>Nothing is waiting for you, {name}. When a client asks a question on one of your cases, it appears here.</p>
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
