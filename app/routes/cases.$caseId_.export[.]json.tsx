import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guard.server";
import { exportCaseData, exportFileName, jsonDownload } from "~/models/data-export.server";

// /cases/:caseId/export.json: everything on a case as a JSON file. Admins only (anyone else:
// 404); recorded in the audit log.

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "cases.export");
  const data = await exportCaseData(actor, params.caseId ?? "", "json", context.clientIp);
  return jsonDownload(data, exportFileName("case", data.exportedAt, data.case.id));
}
