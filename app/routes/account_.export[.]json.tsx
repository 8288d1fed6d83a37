import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guard.server";
import { exportFileName, exportOwnData, jsonDownload } from "~/models/data-export.server";

// /account/export.json: the signed-in person's own data as a JSON file (recorded in the audit log).

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "account.manage");
  const data = await exportOwnData(user, "json", context.clientIp);
  return jsonDownload(data, exportFileName("my-data", data.exportedAt));
}
