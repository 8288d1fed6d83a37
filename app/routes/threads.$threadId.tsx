import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorPage } from "~/components/error-page";
import { RiskBadge } from "~/components/risk-badge";
import { FormMessage, SelectField, SubmitButton, TextAreaField } from "~/components/form";
import { EarlierVersions } from "~/components/earlier-versions";
import { exactTime, PagedThreadView, PostLink, PostTime, THREAD_STATUS_LABELS, useFocusOnOpen } from "~/components/thread-view";
import { requirePermission } from "~/auth/guard.server";
import { ROLE_LABELS } from "~/auth/permissions";
import { redirectWithFlash } from "~/flash.server";
import { formError, ruleViolationError } from "~/forms.server";
import { listSavedRepliesForActor } from "~/models/saved-replies.server";
import { newSubmissionKey } from "~/models/submission-keys.server";
import {
  addPost,
  assignThreads,
  clearRiskFlag,
  closeThread,
  editPost,
  getThreadForStaff,
  markThreadReadAndRecordView,
  reopenThread,
  postToOpen,
  threadPageQuery,
  threadPageWanted,
} from "~/models/threads.server";
import type { ThreadStatus } from "../../db/schema";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.thread.title} · ${data.case.client.name} · Cairn` : "Question · Cairn" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const query = threadPageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  // Opening the thread marks it read (and records the view of its case) while its posts are read.
  const [data, savedReplies] = await Promise.all([
    getThreadForStaff(actor, params.threadId ?? "", threadPageWanted(query), (thread) => markThreadReadAndRecordView(actor, thread, context.clientIp)),
    listSavedRepliesForActor(actor),
  ]);
  // "Insert" on the saved-reply picker reloads the page with ?savedReply=<id>: its text fills the reply box.
  const wanted = query.savedReply || null;
  const inserted = wanted ? (savedReplies.find((r) => r.id === wanted) ?? null) : null;
  return json({
    ...data,
    replyTo: postToOpen(data.posts, query.replyTo),
    // ?edit=<post> opens the edit form under one of the viewer's own posts.
    editTo: postToOpen(
      data.posts.filter((p) => p.mine),
      query.edit,
    ),
    savedReplies: savedReplies.map((r) => ({ id: r.id, title: r.title, scope: r.scope })),
    inserted: inserted ? { id: inserted.id, title: inserted.title, body: inserted.body } : null,
    insertMissing: Boolean(wanted && !inserted),
    now: new Date().toISOString(),
    // The reply forms' key: the same reply sent twice is stored once (submission-keys.server.ts).
    submissionKey: newSubmissionKey(),
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, "staff.workspace");
  const threadId = params.threadId ?? "";
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const field = (name: string) => String(formData.get(name) ?? "");
  const here = `/threads/${threadId}`;
  // The model checks who is asking before it looks at what was sent: a thread on a case the actor
  // can't see is a 404 for every intent, whatever else was posted.
  try {
    switch (intent) {
      case "reply":
      case "replyAndClose": {
        const close = intent === "replyAndClose";
        const visibility = field("visibility") || "shared";
        const { post } = await addPost(
          actor,
          threadId,
          {
            parentId: field("parentId") || null,
            body: field("body"),
            visibility: visibility as "shared" | "internal",
            close,
            submissionKey: field("submissionKey"),
          },
          context.clientIp,
        );
        const message =
          visibility === "internal"
            ? `Internal note saved. Only staff can see it.${close ? " The thread is closed." : ""}`
            : close
              ? "Reply sent and the thread is closed."
              : "Reply sent. The client will be told there's a new reply.";
        // The page of the thread that holds the new message, scrolled to it.
        return redirectWithFlash(request, `${here}?post=${post.id}#post-${post.id}`, { kind: "success", message });
      }
      case "edit": {
        const postId = field("postId");
        const { changed } = await editPost(actor, postId, { body: field("body"), threadId }, context.clientIp);
        return redirectWithFlash(request, `${here}?post=${postId}#post-${postId}`, {
          kind: changed ? "success" : "info",
          message: changed ? "Message updated. The earlier text is kept with it." : "Nothing changed in the message.",
        });
      }
      case "close":
        await closeThread(actor, threadId, context.clientIp);
        return redirectWithFlash(request, here, { kind: "success", message: "Thread closed. A reply from the client will reopen it." });
      case "reopen": {
        const status = await reopenThread(actor, threadId, context.clientIp);
        return redirectWithFlash(request, here, { kind: "success", message: `Thread reopened: ${THREAD_STATUS_LABELS[status].toLowerCase()}.` });
      }
      case "assign": {
        const assigneeId = field("assigneeId") || null;
        const changed = await assignThreads(actor, [threadId], assigneeId, context.clientIp);
        const message = changed === 0 ? "Nothing changed." : assigneeId ? "Thread assigned." : "Thread unassigned.";
        return redirectWithFlash(request, here, { kind: changed ? "success" : "info", message });
      }
      case "clearFlag":
        await clearRiskFlag(actor, threadId, context.clientIp);
        return redirectWithFlash(request, here, { kind: "success", message: "Urgent flag cleared. The reasons stay on record." });
      default:
        return formError({ errors: { form: "That action isn't available here." }, values: {} }, { intent });
    }
  } catch (error) {
    return ruleViolationError(error, formData, { intent });
  }
}

const STATUS_STYLES: Record<ThreadStatus, string> = {
  awaiting_staff: "bg-amber-100 text-amber-900",
  awaiting_client: "bg-brand-50 text-brand-800",
  closed: "bg-stone-200 text-stone-700",
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type PostData = LoaderData["posts"][number];
type Failure = { intent: string; errors: Record<string, string>; values: Record<string, string> };

/** Whether the one edit form sits under this post: the edit that failed, else the one asked for (?edit=). */
function editingHere(post: PostData, failed: Failure | null, editTo: string | null) {
  if (!post.mine) return false;
  if (failed?.intent === "edit") return failed.values.postId === post.id;
  return editTo === post.id;
}

/** "Edit" beside "Reply" under the viewer's own posts: like replies, a link that opens the one form (?edit=<post>). */
function EditLink({ post }: { post: PostData }) {
  return (
    <PostLink to={`?edit=${post.id}#edit-${post.id}`}>
      Edit<span className="sr-only"> your message</span>
    </PostLink>
  );
}

function PostExtras({ post, failed, editTo }: { post: PostData; failed: Failure | null; editTo: string | null }) {
  return (
    <>
      {editingHere(post, failed, editTo) ? <EditForm post={post} failed={failed?.intent === "edit" ? failed : null} /> : null}
      <EarlierVersions versions={post.versions} formatTime={exactTime} />
    </>
  );
}

function EditForm({ post, failed }: { post: PostData; failed: Failure | null }) {
  // As the form appears in place of the link, the cursor goes to the text.
  const region = useFocusOnOpen(post.id);
  return (
    <div id={`edit-${post.id}`} ref={region} className="scroll-mt-4 rounded-md border border-stone-200 bg-stone-50 p-3 text-sm">
      <Form method="post" className="space-y-3" noValidate>
        <input type="hidden" name="postId" value={post.id} />
        <FormMessage error={failed?.errors.form} />
        <TextAreaField label="Message text" name="body" rows={4} required defaultValue={failed ? failed.values.body : post.body} error={failed?.errors.body} />
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton name="intent" value="edit" pendingWhen={{ postId: post.id }} pendingLabel="Saving…" compact>
            Save changes
          </SubmitButton>
          <Link to={`?post=${post.id}#post-${post.id}`}>
            Cancel<span className="sr-only"> editing your message</span>
          </Link>
        </div>
      </Form>
    </div>
  );
}

/**
 * Picks a saved reply: a GET form that reloads the page with ?savedReply=<id> (and, under a post,
 * ?replyTo=<post>), which fills that reply box with the text, ready to adapt.
 */
function SavedReplyPicker({ data, replyTo }: { data: LoaderData; replyTo: string | null }) {
  // The text goes into the box this picker sits beside: the inline one when a post is being answered.
  const forThisBox = (data.replyTo ?? null) === replyTo;
  return (
    <>
      {data.savedReplies.length > 0 ? (
        <Form method="get" action={replyTo ? `#reply-${replyTo}` : undefined} className="flex flex-wrap items-end gap-3" preventScrollReset>
          {replyTo ? <input type="hidden" name="replyTo" value={replyTo} /> : null}
          {/* The main box's picker keeps the page of the thread being read. */}
          {!replyTo && data.pagination.page > 1 ? <input type="hidden" name="page" value={data.pagination.page} /> : null}
          <SelectField
            label="Saved reply"
            name="savedReply"
            defaultValue={forThisBox ? (data.inserted?.id ?? "") : ""}
            options={[
              { value: "", label: "Choose a saved reply…" },
              ...data.savedReplies.map((r) => ({ value: r.id, label: r.scope === "practice" ? `${r.title} (practice)` : r.title })),
            ]}
          />
          <button type="submit" className="btn-secondary">
            Insert
          </button>
        </Form>
      ) : replyTo ? null : (
        <p className="text-sm text-stone-600">
          <Link to="/saved-replies">Saved replies</Link> you write appear here, ready to insert and adapt.
        </p>
      )}
      {!forThisBox ? null : data.inserted ? (
        <p className="text-sm text-stone-700" role="status">
          “{data.inserted.title}” is in the reply box. Adapt it to the client before sending.
        </p>
      ) : data.insertMissing ? (
        <p className="text-sm text-amber-900" role="status">
          That saved reply isn't available any more.
        </p>
      ) : null}
    </>
  );
}

export default function StaffThreadPage() {
  const data = useLoaderData<typeof loader>();
  const { thread: t, case: c, posts, now } = data;
  const actionData = useActionData<typeof action>();
  const failed: Failure | null = actionData && !actionData.ok ? (actionData as Failure) : null;
  const replying = failed && (failed.intent === "reply" || failed.intent === "replyAndClose") ? failed : null;
  const mainFailed = replying && !replying.values.parentId ? replying : null;
  const nestedFailed = replying && replying.values.parentId ? replying : null;
  const errorFor = (intent: string) => (failed?.intent === intent ? failed.errors.form : undefined);
  const closed = t.status === "closed";
  const flagged = t.priority === "urgent";
  const mainVisibility = mainFailed?.values.visibility === "internal" ? "internal" : "shared";
  // A saved reply picked under a post goes into that post's reply box, else into this one.
  const mainInserted = data.replyTo ? null : data.inserted;
  const other = failed && !["reply", "replyAndClose", "edit", "assign", "close", "reopen", "clearFlag"].includes(failed.intent) ? failed.errors.form : undefined;

  return (
    <div className="space-y-6">
      <p className="flex flex-wrap gap-4 text-sm">
        <Link to="/triage">← Triage</Link>
        <Link to={`/cases/${c.id}/threads`}>All questions on this case</Link>
      </p>

      <header className="space-y-2">
        <h1>{t.title}</h1>
        <p className="flex flex-wrap items-center gap-2 text-sm">
          <span className={`badge ${STATUS_STYLES[t.status]}`}>{THREAD_STATUS_LABELS[t.status]}</span>
          {flagged ? <span className="badge bg-red-100 text-red-800">Urgent</span> : null}
          <span className="text-stone-700">{t.assignee ? `Assigned to ${t.assignee.id === data.viewerId ? "you" : t.assignee.name}` : "Not assigned"}</span>
          <span className="text-stone-600">
            · asked <PostTime at={t.createdAt} now={now} />
          </span>
          {t.waitingSince && !closed ? (
            <span className="text-stone-600">
              · client waiting since <time dateTime={t.waitingSince}>{exactTime(t.waitingSince)}</time>
            </span>
          ) : null}
        </p>
      </header>

      <FormMessage error={other} />

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <div className="space-y-6">
          {t.riskReasons.length > 0 ? (
            <section
              className={`space-y-3 rounded-lg border p-4 ${flagged ? "border-red-300 bg-red-50" : "border-stone-200 bg-stone-50"}`}
              aria-labelledby="flag-title"
            >
              <h2 id="flag-title">{flagged ? "Flagged as urgent" : "Risk flag (cleared)"}</h2>
              <p className="text-sm">
                {flagged
                  ? "Something the client wrote matched the practice's risk rules. Read it first, and reach out to the client if they may be in danger."
                  : `Cleared by ${t.flagClearedBy?.name ?? "a colleague"}${t.flagClearedAt ? ` on ${exactTime(t.flagClearedAt)}` : ""}. The reasons stay on record.`}
              </p>
              <ul className="list-disc space-y-1 pl-5 text-sm">
                {t.riskReasons.map((reason, i) => (
                  <li key={`${reason.postId}-${reason.ruleId}-${i}`}>
                    <span className="font-medium">{reason.label}</span> —{" "}
                    <a href={`?post=${reason.postId}#post-${reason.postId}`}>the message</a> of <time dateTime={reason.at}>{exactTime(reason.at)}</time>
                  </li>
                ))}
              </ul>
              {flagged ? (
                <Form method="post" className="space-y-2">
                  <FormMessage error={errorFor("clearFlag")} />
                  <p className="text-xs text-stone-700">Clear the flag once you have checked on the client, or if the match was a false alarm. Clearing is recorded.</p>
                  <SubmitButton name="intent" value="clearFlag" variant="secondary" pendingLabel="Clearing…">
                    Clear the urgent flag
                  </SubmitButton>
                </Form>
              ) : null}
            </section>
          ) : null}

          <section className="space-y-3" aria-labelledby="conversation-title">
            <h2 id="conversation-title">Conversation</h2>
            <p className="text-sm text-stone-600">
              Reply under any message. Internal notes are for staff only: the client never sees them or hears of them.
            </p>
            <PagedThreadView
              posts={posts}
              pagination={data.pagination}
              now={now}
              reply={{
                allowInternal: true,
                replyTo: data.replyTo,
                failed: nestedFailed,
                submissionKey: data.submissionKey,
                allowClose: !closed,
                initialBody: data.replyTo ? data.inserted?.body : undefined,
                tools: data.replyTo ? <SavedReplyPicker data={data} replyTo={data.replyTo} /> : null,
              }}
              renderPostActions={(post) => (post.mine && !editingHere(post, failed, data.editTo) ? <EditLink post={post} /> : null)}
              renderPostExtras={(post) => <PostExtras post={post} failed={failed} editTo={data.editTo} />}
            />
          </section>

          <section className="card space-y-4" aria-labelledby="reply-title">
            <h2 id="reply-title">Reply to the question</h2>
            <SavedReplyPicker data={data} replyTo={null} />
            <Form method="post" className="space-y-3" noValidate key={mainInserted?.id ?? "blank"}>
              <FormMessage error={mainFailed?.errors.form ?? mainFailed?.errors.parentId} />
              <TextAreaField
                label="Your reply"
                name="body"
                rows={6}
                required
                defaultValue={mainFailed ? mainFailed.values.body : (mainInserted?.body ?? "")}
                error={mainFailed?.errors.body}
                hint="Markdown works: **bold**, lists with “-”, links."
              />
              <fieldset className="space-y-1 text-sm">
                <legend className="font-medium text-stone-800">Who sees this</legend>
                <label className="flex items-center gap-2">
                  <input type="radio" name="visibility" value="shared" defaultChecked={mainVisibility === "shared"} />
                  Shared reply (the client sees it)
                </label>
                <label className="flex items-center gap-2">
                  <input type="radio" name="visibility" value="internal" defaultChecked={mainVisibility === "internal"} />
                  Internal note — staff only
                </label>
                {mainFailed?.errors.visibility ? <p className="text-red-700">{mainFailed.errors.visibility}</p> : null}
              </fieldset>
              {closed ? <p className="text-sm text-stone-600">This thread is closed. Replying keeps it closed; reopen it if it needs more work.</p> : null}
              <div className="flex flex-wrap gap-3">
                <SubmitButton name="intent" value="reply" pendingWhen={{ parentId: "" }} pendingLabel="Sending…">
                  Send reply
                </SubmitButton>
                {closed ? null : (
                  <SubmitButton name="intent" value="replyAndClose" variant="secondary" pendingLabel="Sending and closing…">
                    Send reply and close
                  </SubmitButton>
                )}
              </div>
              <input type="hidden" name="parentId" value="" />
              <input type="hidden" name="submissionKey" value={data.submissionKey} />
            </Form>
          </section>
        </div>

        <aside className="space-y-4" aria-label="The case">
          <section className="card space-y-2 text-sm" aria-labelledby="case-title">
            <h2 id="case-title">Case</h2>
            <p>
              <Link to={`/cases/${c.id}`} className="font-medium">
                {c.client.name} · {c.title}
              </Link>
            </p>
            <p className="flex flex-wrap gap-2">
              <RiskBadge risk={c.risk} prefix="Risk: " />
            </p>
            {c.lead ? <p>Lead: {c.lead.name}</p> : null}
            <div className="space-y-1">
              <p className="flex justify-between">
                <span>Plan progress</span>
                <span>{c.progress.total === 0 ? "No plan yet" : `${c.progress.percent}%`}</span>
              </p>
              {c.progress.total > 0 ? (
                <div
                  className="h-2 w-full overflow-hidden rounded-full bg-stone-200"
                  role="progressbar"
                  aria-label="Plan progress"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={c.progress.percent}
                >
                  <div className="h-full rounded-full bg-brand-600" style={{ width: `${c.progress.percent}%` }} />
                </div>
              ) : null}
            </div>
            <p>Last check-in: {c.lastCheckIn ? <time dateTime={c.lastCheckIn.submittedAt}>{exactTime(c.lastCheckIn.submittedAt)}</time> : "none yet"}</p>
          </section>

          <section className="card space-y-3" aria-labelledby="assign-title">
            <h2 id="assign-title">Assignment</h2>
            <Form method="post" className="space-y-3" noValidate>
              <SelectField
                label="Assigned to"
                name="assigneeId"
                defaultValue={failed?.intent === "assign" ? failed.values.assigneeId : (t.assignee?.id ?? "")}
                error={failed?.intent === "assign" ? (failed.errors.assigneeId ?? failed.errors.form) : undefined}
                options={[
                  { value: "", label: "Nobody" },
                  ...(t.assignee && !data.assignees.some((a) => a.id === t.assignee?.id) ? [{ value: t.assignee.id, label: t.assignee.name }] : []),
                  ...data.assignees.map((a) => ({
                    value: a.id,
                    label: `${a.id === data.viewerId ? `${a.name} (you)` : a.name} · ${ROLE_LABELS[a.role]}${a.caseRole === "lead" ? ", lead" : ""}`,
                  })),
                ]}
              />
              <SubmitButton name="intent" value="assign" variant="secondary" pendingLabel="Saving…">
                Save assignment
              </SubmitButton>
            </Form>
          </section>

          <section className="card space-y-3" aria-labelledby="status-title">
            <h2 id="status-title">Status</h2>
            <p className="text-sm">
              {closed
                ? "Closed. Reopen it if there's more to do; a reply from the client reopens it too."
                : t.status === "awaiting_staff"
                  ? "The client is waiting for an answer."
                  : "Answered; waiting to hear from the client."}
            </p>
            <Form method="post" className="space-y-2">
              <FormMessage error={errorFor(closed ? "reopen" : "close")} />
              {closed ? (
                <SubmitButton name="intent" value="reopen" variant="secondary" pendingLabel="Reopening…">
                  Reopen the thread
                </SubmitButton>
              ) : (
                <SubmitButton name="intent" value="close" variant="secondary" pendingLabel="Closing…">
                  Close the thread
                </SubmitButton>
              )}
            </Form>
          </section>
        </aside>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage notFoundMessage="This question doesn't exist or isn't on one of your cases." />;
}
