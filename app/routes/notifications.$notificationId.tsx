import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireUser } from "~/auth/guard.server";
import { markNotificationRead } from "~/models/notifications.server";

// Opening a notification: marks it read, then sends the reader on to what it is about (always a
// path on this site). This is a GET on purpose, so each notification is a real link (open in a
// new tab, copy, middle-click) and works without JavaScript. The change is idempotent and only
// touches the reader's own read mark, as a mail client marks a message read when it is opened;
// a page elsewhere can't guess a notification's id. Someone else's notification: 404.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { link } = await markNotificationRead(user, params.notificationId ?? "");
  return redirect(link);
}
