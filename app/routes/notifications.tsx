import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Pagination } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SubmitButton } from "~/components/form";
import { PostTime } from "~/components/thread-view";
import { requireUser } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError } from "~/forms.server";
import { listNotifications, markAllRead, notificationListQuery } from "~/models/notifications.server";

export const meta: MetaFunction = () => [{ title: "Notifications · Cairn" }];

// Everyone signed in has notifications; the model only ever returns the viewer's own.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const query = notificationListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { rows, total, unread } = await listNotifications(user, query);
  return json({ query, rows, total, unread, now: new Date().toISOString() });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  if (intent !== "read-all") return formError({ errors: { form: "Unknown action." }, values: {} }, { intent });
  const marked = await markAllRead(user);
  return redirectWithFlash(request, "/notifications", {
    kind: "success",
    message: marked ? "All caught up: every notification is marked as read." : "You were already all caught up.",
  });
}

export default function NotificationsPage() {
  const { query, rows, total, unread, now } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="max-w-3xl space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1>Notifications</h1>
          <p className="text-sm text-stone-700">
            {unread === 0 ? "You're all caught up." : `${unread} unread ${unread === 1 ? "notification" : "notifications"}.`}
          </p>
        </div>
        {unread > 0 ? (
          <Form method="post">
            <SubmitButton name="intent" value="read-all" variant="secondary" pendingLabel="Marking as read…">
              Mark all as read
            </SubmitButton>
          </Form>
        ) : null}
      </div>
      <FormMessage error={actionData?.errors.form} />
      {rows.length === 0 ? (
        <p className="card text-stone-700">
          Nothing here yet. When someone replies to you, or there is something on your cases that needs you, it will show up here.
        </p>
      ) : (
        <ul className="divide-y divide-stone-100 rounded-lg border border-stone-200 bg-white shadow-sm" aria-label="Your notifications">
          {rows.map((n) => {
            const isUnread = n.readAt === null;
            return (
              <li key={n.id} className={`flex items-start gap-3 px-4 py-3 ${isUnread ? "bg-brand-50/60" : ""}`}>
                <span
                  aria-hidden="true"
                  className={`mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full ${isUnread ? "bg-brand-700" : "bg-transparent"}`}
                />
                <div className="min-w-0 flex-1 space-y-0.5">
                  {/* Opening goes through /notifications/:id, which marks it read and sends you on. */}
                  <Link to={`/notifications/${n.id}`} className={isUnread ? "font-semibold" : "text-stone-800"}>
                    {isUnread ? <span className="sr-only">Unread: </span> : null}
                    {n.text}
                  </Link>
                  <p className="text-xs text-stone-600">
                    <PostTime at={n.createdAt} now={now} />
                    {isUnread ? (
                      <>
                        {" · "}
                        <span className="font-medium text-brand-800">New</span>
                      </>
                    ) : null}
                  </p>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <Pagination page={query.page} perPage={query.perPage} total={total} label="notifications" />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
