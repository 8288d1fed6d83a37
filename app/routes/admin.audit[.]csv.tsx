import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guard.server";
import { exportAuditCsv, parseAuditLogQuery } from "~/models/audit-log.server";

// /admin/audit.csv?…the log's filters…: every matching entry (all pages) as a CSV download.

export async function loader({ request, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "audit.read");
  const { query, errors } = parseAuditLogQuery(new URL(request.url).searchParams);
  const problem = Object.values(errors)[0];
  if (problem) throw new Response(problem, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = await exportAuditCsv(actor, query, context.clientIp);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="cairn-audit-log-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
