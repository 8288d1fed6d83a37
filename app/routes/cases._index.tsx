import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { ErrorPage } from "~/components/error-page";
import { requirePermission } from "~/auth/guard.server";

export const meta: MetaFunction = () => [{ title: "Cases · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "staff.workspace");
  return json({});
}

export default function CasesPage() {
  return (
    <section className="space-y-3" aria-labelledby="cases-title">
      <h1 id="cases-title">Cases</h1>
      <div className="card">
        <p>You are not a member of any case yet. Cases you lead or support will be listed here.</p>
      </div>
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
