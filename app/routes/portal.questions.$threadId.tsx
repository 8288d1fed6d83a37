import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { CLIENT_THREAD_STATUS_LABELS, PagedThreadView } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { redirectWithFlash } from "~/flash.server";
import { formError, ruleViolationError } from "~/forms.server";
import { getSetting } from "~/models/settings.server";
import { newSubmissionKey } from "~/models/submission-keys.server";
import { addPost, getThreadForClient, markThreadRead, postToOpen, threadPageQuery, threadPageWanted } from "~/models/threads.server";
import type { ThreadStatus } from "../../db/schema";

// One of the client's questions: the shared conversation (never internal notes: the model leaves
// them out), a reply under any message, and the practice's crisis message after a message of
// theirs matched a risk rule (?support=1 says "show it"; nothing they wrote is in the address).

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.thread.title} · Your questions · Cairn` : "Your question · Cairn" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const url = new URL(request.url);
  const query = threadPageQuery.parse(Object.fromEntries(url.searchParams));
  // Opening the thread marks it read while its posts are read.
  const data = await getThreadForClient(user, params.threadId ?? "", threadPageWanted(query), (thread) => markThreadRead(user, thread.id));
  const support = url.searchParams.get("support") === "1";
  return json({
    thread: data.thread,
    caseTitle: data.caseTitle,
    posts: data.posts,
    pagination: data.pagination,
    // ?replyTo=<post> opens the reply form under that post: only a post this client is shown.
    replyTo: postToOpen(data.posts, query.replyTo),
    crisisMessage: support ? await getSetting("crisis_message") : null,
    now: new Date().toISOString(),
    // The reply forms' key: the same reply sent twice is stored once (submission-keys.server.ts).
    submissionKey: newSubmissionKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, "portal.use");
  const threadId = params.threadId ?? "";
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const field = (name: string) => String(formData.get(name) ?? "");
  try {
    if (intent !== "reply") return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    // The model checks the thread first: another client's thread is a 404 whatever was sent,
    // and an internal note from a client is refused (403).
    const { post, crisis } = await addPost(
      user,
      threadId,
      {
        parentId: field("parentId") || null,
        body: field("body"),
        visibility: (field("visibility") || "shared") as "shared" | "internal",
        submissionKey: field("submissionKey"),
      },
      context.clientIp,
    );
    // The page of the thread that holds the new message, scrolled to it.
    return redirectWithFlash(request, `/portal/questions/${threadId}?${crisis ? "support=1&" : ""}post=${post.id}#post-${post.id}`, {
      kind: "success",
      message: "Your reply is sent. Your practitioner will be told.",
    });
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

const STATUS_STYLES: Record<ThreadStatus, string> = {
  awaiting_staff: "bg-amber-50 text-amber-900",
  awaiting_client: "bg-brand-50 text-brand-800",
  closed: "bg-stone-200 text-stone-700",
};

type Failure = { intent: string; errors: Record<string, string>; values: Record<string, string> };

export default function PortalQuestion() {
  const { thread, caseTitle, posts, pagination, crisisMessage, now, submissionKey, replyTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const failed: Failure | null = actionData && !actionData.ok ? { ...actionData, intent: String(actionData.intent ?? "") } : null;
  const mainFailed = failed && !failed.values.parentId ? failed : null;
  const nestedFailed = failed && failed.values.parentId ? failed : null;
  const closed = thread.status === "closed";

  return (
    <div className="space-y-6">
      <p className="text-sm">
        <Link to="/portal/questions">← Your questions</Link>
      </p>

      <header className="space-y-2">
        <h1>{thread.title}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className={`badge ${STATUS_STYLES[thread.status]}`}>{CLIENT_THREAD_STATUS_LABELS[thread.status]}</span>
          <span className="text-stone-600">{caseTitle}</span>
        </p>
      </header>

      {crisisMessage ? (
        <section className="space-y-2 rounded-lg border border-sky-200 bg-sky-50 p-4 text-sky-950" aria-labelledby="support-title">
          <h2 id="support-title" className="text-base">
            You don't have to carry this alone
          </h2>
          <p>Thank you for telling us. We've let your practitioner know straight away, and they will read your message as soon as they can.</p>
          <p className="whitespace-pre-line">{crisisMessage}</p>
        </section>
      ) : null}

      <section className="space-y-3" aria-labelledby="conversation-title">
        <h2 id="conversation-title">Conversation</h2>
        <p className="text-sm text-stone-600">You can reply under any message.</p>
        <PagedThreadView posts={posts} pagination={pagination} now={now} reply={{ allowInternal: false, replyTo, failed: nestedFailed, submissionKey }} />
      </section>

      <section className="card space-y-3" aria-labelledby="reply-title">
        <h2 id="reply-title">Add to your question</h2>
        {closed ? (
          <p className="text-sm text-stone-700">This question is closed. If you write again, it opens again and your practitioner will see it.</p>
        ) : null}
        <Form method="post" className="space-y-3" noValidate key={pagination.total}>
          <input type="hidden" name="parentId" value="" />
          <input type="hidden" name="submissionKey" value={submissionKey} />
          <FormMessage error={mainFailed?.errors.form ?? mainFailed?.errors.parentId ?? mainFailed?.errors.visibility} />
          <TextAreaField label="Your message" name="body" rows={5} required defaultValue={mainFailed?.values.body} error={mainFailed?.errors.body} />
          <SubmitButton name="intent" value="reply" pendingWhen={{ parentId: "" }} pendingLabel="Sending…">
            Send
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This question doesn't exist or isn't one of yours." />;
}
