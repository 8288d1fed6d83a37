import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";

export const meta: MetaFunction = () => [{ title: "My plan · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  return json({ name: user.name });
}

export default function PortalPage() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <section className="space-y-3" aria-labelledby="portal-title">
      <h1 id="portal-title">Welcome, {name}</h1>
      <div className="card">
        <p>Your practitioner hasn't assigned you a plan yet. When they do, your steps will appear here.</p>
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
