import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { createContext, useContext } from "react";
import { FastLink } from "~/components/fast-link";
import { DataTable, Pagination, type SortableColumn } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { exactTime, PostTime, THREAD_STATUS_LABELS } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { recordCaseView } from "~/models/audit.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, ruleViolationError } from "~/forms.server";
import { newSubmissionKey } from "~/models/submission-keys.server";
import { listCaseThreads, startThread, threadListQuery } from "~/models/threads.server";
import type { ThreadStatus } from "../../db/schema";

// The case's "Questions" tab: every thread on the case, and a form to start one with the client.

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = threadListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const list = await listCaseThreads(actor, params.caseId ?? "", query);
  await recordCaseView(actor, params.caseId ?? "", "questions", context.clientIp);
  // The start form's key: the same message sent twice starts one conversation (submission-keys.server.ts).
  return json({ ...list, viewerId: actor.id, now: new Date().toISOString(), submissionKey: newSubmissionKey() });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  try {
    if (intent !== "start") return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    // The model checks the case first (404 for anyone not on it), then the title and message.
    const { thread } = await startThread(
      actor,
      params.caseId ?? "",
      {
        title: String(formData.get("title") ?? ""),
        body: String(formData.get("body") ?? ""),
        submissionKey: String(formData.get("submissionKey") ?? ""),
      },
      context.clientIp,
    );
    return redirectWithFlash(request, `/threads/${thread.id}`, {
      kind: "success",
      message: "Conversation started. The client will be told there's a new message for them.",
    });
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

const STATUS_STYLES: Record<ThreadStatus, string> = {
  awaiting_staff: "bg-amber-100 text-amber-900",
  awaiting_client: "bg-brand-50 text-brand-800",
  closed: "bg-stone-200 text-stone-700",
};

type Row = ReturnType<typeof useLoaderData<typeof loader>>["threads"][number];

/** What the list's cells need beyond their row: the server's clock and who is looking. */
const ListView = createContext<{ now: string; viewerId: string }>({ now: "", viewerId: "" });

// One constant (DataTable keeps a TanStack table per columns array); cells read ListView.
const columns: SortableColumn<Row>[] = [
  {
    id: "title",
    header: "Question",
    cell: ({ row }) => (
      <span className="flex flex-wrap items-center gap-2">
        {row.original.priority === "urgent" ? <span className="badge bg-red-100 text-red-800">Urgent</span> : null}
        <FastLink to={`/threads/${row.original.id}`} className={row.original.unread ? "font-semibold" : undefined}>
          {row.original.title}
        </FastLink>
        {row.original.unread ? <span className="badge bg-sky-50 text-sky-800">New</span> : null}
      </span>
    ),
  },
  {
    id: "status",
    header: "Status",
    cell: ({ row }) => <span className={`badge ${STATUS_STYLES[row.original.status]}`}>{THREAD_STATUS_LABELS[row.original.status]}</span>,
  },
  {
    id: "assignee",
    header: "Assigned to",
    cell: function AssigneeCell({ row }) {
      const { viewerId } = useContext(ListView);
      return row.original.assigneeId ? (row.original.assigneeId === viewerId ? "You" : (row.original.assigneeName ?? "—")) : <span className="text-stone-600">Nobody</span>;
    },
  },
  { id: "posts", header: "Messages", cell: ({ row }) => row.original.posts, meta: { className: "text-right" } },
  {
    id: "activity",
    header: "Last activity",
    cell: function ActivityCell({ row }) {
      const { now } = useContext(ListView);
      return (
        <span title={exactTime(row.original.lastActivityAt)}>
          <PostTime at={row.original.lastActivityAt} now={now} />
        </span>
      );
    },
  },
];

export default function CaseThreads() {
  const { threads, total, page, perPage, viewerId, now, submissionKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;

  return (
    <div className="space-y-6">
      <section className="space-y-3" aria-labelledby="questions-title">
        <h2 id="questions-title">Questions</h2>
        <ListView.Provider value={{ now, viewerId }}>
          <DataTable
            caption="Questions on this case, most recent activity first"
            columns={columns}
            rows={threads}
            sort=""
            dir="desc"
            emptyMessage="No questions on this case yet."
            getRowId={(row) => row.id}
          />
        </ListView.Provider>
        <Pagination page={page} perPage={perPage} total={total} label="questions" />
      </section>

      <section className="card space-y-3" aria-labelledby="start-title">
        <h2 id="start-title">Start a conversation with the client</h2>
        <p className="text-sm text-stone-600">
          The client sees this message in their questions and can reply to it. To write something for staff only, use an
          internal note inside a thread or the case notes.
        </p>
        <Form method="post" className="space-y-3" noValidate key={total}>
          <input type="hidden" name="submissionKey" value={submissionKey} />
          <FormMessage error={failed?.errors.form} />
          <Field label="Title" name="title" required defaultValue={failed?.values.title} error={failed?.errors.title} />
          <TextAreaField
            label="Message"
            name="body"
            required
            rows={5}
            defaultValue={failed?.values.body}
            error={failed?.errors.body}
            hint="Markdown works: **bold**, lists with “-”, links."
          />
          <SubmitButton name="intent" value="start" pendingLabel="Sending…">
            Send to the client
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This case doesn't exist or isn't shared with you." />;
}
