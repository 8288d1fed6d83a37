import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { getSession } from "~/auth/guard.server";
import { clearSessionCookie } from "~/auth/session.server";
import { signOut } from "~/auth/sign-in.server";
import { redirectWithFlash } from "~/flash.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getSession(request);
  if (session) await signOut(session, context.clientIp);
  return redirectWithFlash(request, "/login", { kind: "info", message: "You have signed out." }, [clearSessionCookie(request)]);
}
