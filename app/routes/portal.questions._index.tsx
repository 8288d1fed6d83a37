import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Pagination } from "~/components/data-table";
import { ErrorPage } from "~/components/error-page";
import { Field, FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { CLIENT_THREAD_STATUS_LABELS, exactTime, PostTime } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { ruleViolationError } from "~/forms.server";
import { caseToAskOn, listAskableCases } from "~/models/client-cases.server";
import { newSubmissionKey } from "~/models/submission-keys.server";
import { listClientThreads, startThread, threadListQuery } from "~/models/threads.server";
import type { ThreadStatus } from "../../db/schema";

// The client's questions: their threads, newest conversation first, with what state each is in
// and whether a practitioner has written since they last looked; and a form to ask a new one.

export const meta: MetaFunction = () => [{ title: "Your questions · Cairn" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const query = threadListQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [list, askable] = await Promise.all([listClientThreads(user, query), listAskableCases(user)]);
  // The question form's key: the same question sent twice is asked once (submission-keys.server.ts).
  return json({ ...list, askable, now: new Date().toISOString(), submissionKey: newSubmissionKey() });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const formData = await request.formData();
  const field = (name: string) => String(formData.get(name) ?? "");
  try {
    // The case is checked first (404 unless it is the client's own), then the title and message.
    const caseId = await caseToAskOn(user, field("caseId") || null);
    const { thread, crisis } = await startThread(
      user,
      caseId,
      { title: field("title"), body: field("body"), submissionKey: field("submissionKey") },
      context.clientIp,
    );
    // When the message matched a risk rule, the question's page shows the practice's crisis
    // message: the address only says "show support", never anything the client wrote.
    return redirectWithFlash(request, `/portal/questions/${thread.id}${crisis ? "?support=1" : ""}`, {
      kind: "success",
      message: "Your question is sent. Your practitioner will read it and answer here.",
    });
  } catch (error) {
    return ruleViolationError(error, formData);
  }
}

const STATUS_STYLES: Record<ThreadStatus, string> = {
  awaiting_staff: "bg-amber-50 text-amber-900",
  awaiting_client: "bg-brand-50 text-brand-800",
  closed: "bg-stone-200 text-stone-700",
};

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Row = Data["threads"][number];

function QuestionItem({ row, now, showCase }: { row: Row; now: string; showCase: boolean }) {
  // "New reply" stands in for "Answered" when the answer hasn't been read yet.
  const showStatus = !(row.unread && row.status === "awaiting_client");
  return (
    <li className="card space-y-1">
      <p className="flex flex-wrap items-center gap-2">
        <Link to={`/portal/questions/${row.id}`} className={row.unread ? "font-semibold" : "font-medium"}>
          {row.title}
        </Link>
        {row.unread ? <span className="badge bg-sky-100 text-sky-900">New reply</span> : null}
        {showStatus ? <span className={`badge ${STATUS_STYLES[row.status]}`}>{CLIENT_THREAD_STATUS_LABELS[row.status]}</span> : null}
      </p>
      <p className="text-sm text-stone-600">
        {showCase ? <>{row.caseTitle} · </> : null}
        Last message{" "}
        <span title={exactTime(row.lastPostAt)}>
          <PostTime at={row.lastPostAt} now={now} />
        </span>
      </p>
    </li>
  );
}

export default function PortalQuestions() {
  const { threads, total, page, perPage, askable, now, submissionKey } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed = actionData && !actionData.ok ? actionData : null;
  const showCase = new Set(threads.map((t) => t.caseId)).size > 1 || askable.length > 1;

  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm">
          <Link to="/portal">← My plan</Link>
        </p>
        <h1>Your questions</h1>
        <p className="text-stone-700">
          Ask your practitioner anything about your plan or what's happening for you. Only you and the practitioners on your case
          can read these conversations.
        </p>
      </div>

      <section className="space-y-3" aria-labelledby="questions-title">
        <h2 id="questions-title">Conversations</h2>
        {threads.length === 0 ? (
          <p className="card text-stone-700">
            {total === 0 ? "You haven't asked anything yet. When you do, your questions and the answers will be here." : "No more questions on this page."}
          </p>
        ) : (
          <ul className="space-y-3" aria-label="Your questions, most recent first">
            {threads.map((row) => (
              <QuestionItem key={row.id} row={row} now={now} showCase={showCase} />
            ))}
          </ul>
        )}
        {total > perPage || page > 1 ? <Pagination page={page} perPage={perPage} total={total} label="questions" /> : null}
      </section>

      <section className="card space-y-3" aria-labelledby="ask-title">
        <h2 id="ask-title">Ask a question</h2>
        {askable.length === 0 ? (
          <p className="text-sm text-stone-700">
            You have no open case right now, so there's nowhere to send a new question. Your earlier conversations stay here to
            read, and you can still reply in them.
          </p>
        ) : (
          <Form method="post" className="space-y-3" noValidate key={total}>
            <input type="hidden" name="submissionKey" value={submissionKey} />
            <FormMessage error={failed?.errors.form} />
            {askable.length > 1 ? (
              <SelectField
                label="Which case is it about?"
                name="caseId"
                defaultValue={failed?.values.caseId ?? askable[0]!.id}
                error={failed?.errors.caseId}
                options={askable.map((c) => ({ value: c.id, label: c.title }))}
              />
            ) : (
              <>
                <input type="hidden" name="caseId" value={askable[0]!.id} />
                <FormMessage error={failed?.errors.caseId} />
              </>
            )}
            <Field label="Title" name="title" required defaultValue={failed?.values.title} error={failed?.errors.title} hint="A few words, e.g. “How do I answer when they ask why?”" />
            <TextAreaField
              label="Your question"
              name="body"
              rows={6}
              required
              defaultValue={failed?.values.body}
              error={failed?.errors.body}
              hint="Write as much or as little as you like. Your practitioner will answer here."
            />
            <SubmitButton pendingLabel="Sending…">Send your question</SubmitButton>
          </Form>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
