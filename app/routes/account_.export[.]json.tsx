import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guard.server";
import { exportFileName, exportOwnData } from "~/models/data-export.server";

// /account/export.json: the signed-in person's own data as a JSON file (recorded in the audit log).

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "account.manage");
  const data = await exportOwnData(user, "json", context.clientIp);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exportFileName("my-data", data.exportedAt)}"`,
      "Cache-Control": "no-store",
    },
  });
}
