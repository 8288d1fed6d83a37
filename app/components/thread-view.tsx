import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { ROLE_LABELS } from "~/auth/permissions";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import type { Role, ThreadStatus } from "../../db/schema";

// A question thread read like the comments under a blog article: the question on top, each reply
// indented under the post it answers. Four levels of replies are indented; a reply to a post that
// is already at the fourth level stays at that level, right after the post it answers, and says
// whom it is replying to. The tree is built here, from the flat list the model returns in order.
//
// Reply forms post to the page's own action with: intent=reply, parentId, body and (staff only)
// visibility=shared|internal. Each is a <details> disclosure, so it works without JavaScript.

export const MAX_REPLY_DEPTH = 4;

export const THREAD_STATUS_LABELS: Record<ThreadStatus, string> = {
  awaiting_staff: "Awaiting staff",
  awaiting_client: "Awaiting client",
  closed: "Closed",
};

/** The same states as the client reads them. */
export const CLIENT_THREAD_STATUS_LABELS: Record<ThreadStatus, string> = {
  awaiting_staff: "Waiting for your practitioner",
  awaiting_client: "Answered",
  closed: "Closed",
};

export type ThreadViewPost = {
  id: string;
  parentId: string | null;
  authorId: string;
  authorName: string;
  authorRole: Role;
  body: string;
  visibility: "shared" | "internal";
  createdAt: string;
  editedAt: string | null;
  edited: boolean;
  versionCount: number;
  mine: boolean;
};

export type ThreadNode<T> = {
  post: T;
  /** 0 for the question, 1–MAX_REPLY_DEPTH for replies. */
  depth: number;
  /** Set when the reply is shown beside the post it answers instead of under it. */
  replyingTo: string | null;
  children: ThreadNode<T>[];
};

type TreePost = { id: string; parentId: string | null; authorName: string };

/**
 * Builds the displayed tree from posts in the order they were written. A post whose parent is
 * missing (or comes later, which can't happen for real posts) becomes a root.
 */
export function buildThreadTree<T extends TreePost>(posts: readonly T[], maxDepth = MAX_REPLY_DEPTH): ThreadNode<T>[] {
  type Real = { post: T; children: Real[] };
  const seen = new Map<string, Real>();
  const roots: Real[] = [];
  for (const post of posts) {
    if (seen.has(post.id)) continue;
    const node: Real = { post, children: [] };
    const parent = post.parentId ? seen.get(post.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
    seen.set(post.id, node);
  }

  const display = (node: Real, depth: number, replyingTo: string | null): ThreadNode<T>[] => {
    if (depth < maxDepth) {
      return [{ post: node.post, depth, replyingTo, children: node.children.flatMap((child) => display(child, depth + 1, null)) }];
    }
    // At the deepest level: the answers follow the post at the same level, each naming whom it answers.
    return [
      { post: node.post, depth, replyingTo, children: [] },
      ...node.children.flatMap((child) => display(child, depth, node.post.authorName)),
    ];
  };
  return roots.flatMap((root) => display(root, 0, null));
}

// ---------------------------------------------------------------------------------------------
// Times: relative in the text, exact in the title and the <time> element.

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const exactFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function exactTime(iso: string) {
  return `${exactFormat.format(new Date(iso))} UTC`;
}

/** "just now", "5 minutes ago", "yesterday", "3 days ago"; older than four weeks: the date. */
export function relativeTime(iso: string, nowIso: string) {
  const seconds = Math.round((new Date(nowIso).getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return relative.format(-minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 24) return relative.format(-hours, "hour");
  const days = Math.round(hours / 24);
  if (days < 28) return relative.format(-days, "day");
  return dayFormat.format(new Date(iso));
}

export function PostTime({ at, now }: { at: string; now: string }) {
  return (
    <time dateTime={at} title={exactTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}

// ---------------------------------------------------------------------------------------------
// The view

const ROLE_BADGES: Record<Role, string> = {
  client: "bg-sky-50 text-sky-800",
  coach: "bg-brand-50 text-brand-800",
  therapist: "bg-violet-50 text-violet-800",
  admin: "bg-stone-200 text-stone-800",
};

export type ReplyFailure = { values: Record<string, string>; errors: Record<string, string> } | null;

type ThreadViewProps<T extends ThreadViewPost> = {
  posts: readonly T[];
  /** The server's "now" (ISO), so relative times read the same on the server and in the browser. */
  now: string;
  /** Omit to show the thread without reply forms. */
  reply?: {
    /** Staff may answer with an internal note. */
    allowInternal: boolean;
    /** The reply form that failed (its values carry parentId): it opens again with text and message. */
    failed?: ReplyFailure;
    /** The page's submission key: a reply sent twice is stored once. */
    submissionKey?: string;
  };
  /** Anything more under a post: an edit form, earlier versions… */
  renderPostExtras?: (post: T) => ReactNode;
};

export function ThreadView<T extends ThreadViewPost>({ posts, now, reply, renderPostExtras }: ThreadViewProps<T>) {
  const tree = buildThreadTree(posts);
  if (tree.length === 0) return <p className="card">No messages yet.</p>;
  return (
    <ol className="space-y-4" aria-label="Messages in this thread">
      {tree.map((node) => (
        <PostItem key={node.post.id} node={node} now={now} reply={reply} renderPostExtras={renderPostExtras} />
      ))}
    </ol>
  );
}

function PostItem<T extends ThreadViewPost>({
  node,
  now,
  reply,
  renderPostExtras,
}: { node: ThreadNode<T> } & Omit<ThreadViewProps<T>, "posts">) {
  const { post, depth, replyingTo, children } = node;
  const internal = post.visibility === "internal";
  const headingId = `post-${post.id}-by`;
  return (
    <li id={`post-${post.id}`} className="scroll-mt-4">
      <article
        aria-labelledby={headingId}
        className={`space-y-2 rounded-lg border p-4 shadow-sm ${internal ? "border-dashed border-amber-400 bg-amber-50" : "border-stone-200 bg-white"} ${depth === 0 ? "" : "text-[0.95rem]"}`}
      >
        {internal ? (
          <p className="text-xs font-semibold uppercase tracking-wide text-amber-900">Internal note — staff only</p>
        ) : null}
        <header className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
          <span id={headingId} className="font-semibold text-stone-900">
            {post.authorName}
            {post.mine ? <span className="font-normal text-stone-600"> (you)</span> : null}
          </span>
          <span className={`badge ${ROLE_BADGES[post.authorRole]}`}>{ROLE_LABELS[post.authorRole]}</span>
          <span className="text-stone-600">
            <PostTime at={post.createdAt} now={now} />
          </span>
          {post.edited && post.editedAt ? (
            <span className="text-stone-600" title={`Edited ${exactTime(post.editedAt)}`}>
              · edited
            </span>
          ) : null}
        </header>
        {replyingTo ? <p className="text-xs text-stone-600">Replying to {replyingTo}</p> : null}
        <Markdown>{post.body}</Markdown>
        {reply ? <ReplyDisclosure post={post} allowInternal={reply.allowInternal} failed={reply.failed ?? null} submissionKey={reply.submissionKey} /> : null}
        {renderPostExtras ? renderPostExtras(post) : null}
      </article>
      {children.length > 0 ? (
        <ol className="mt-3 space-y-3 border-l-2 border-stone-200 pl-3 sm:pl-5" aria-label={`Replies to ${post.authorName}`}>
          {children.map((child) => (
            <PostItem key={child.post.id} node={child} now={now} reply={reply} renderPostExtras={renderPostExtras} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

function ReplyDisclosure({
  post,
  allowInternal,
  failed,
  submissionKey,
}: {
  post: ThreadViewPost;
  allowInternal: boolean;
  failed: ReplyFailure;
  submissionKey?: string;
}) {
  const mine = failed && failed.values.parentId === post.id ? failed : null;
  const internalOnly = post.visibility === "internal";
  const visibility = mine?.values.visibility ?? (internalOnly ? "internal" : "shared");
  return (
    <details open={mine ? true : undefined} className="text-sm">
      <summary className="cursor-pointer font-medium text-brand-700">
        Reply<span className="sr-only"> to {post.authorName}</span>
      </summary>
      <Form method="post" className="mt-2 space-y-3" noValidate>
        <input type="hidden" name="parentId" value={post.id} />
        {submissionKey ? <input type="hidden" name="submissionKey" value={submissionKey} /> : null}
        <FormMessage error={mine?.errors.form ?? mine?.errors.parentId} />
        <TextAreaField label={`Your reply to ${post.authorName}`} name="body" rows={3} required defaultValue={mine?.values.body} error={mine?.errors.body} />
        {allowInternal ? (
          internalOnly ? (
            <>
              <input type="hidden" name="visibility" value="internal" />
              <p className="text-xs text-stone-600">A reply to an internal note is an internal note too: the client won't see it.</p>
            </>
          ) : (
            <fieldset className="space-y-1">
              <legend className="text-sm font-medium text-stone-800">Who sees this reply</legend>
              <label className="flex items-center gap-2">
                <input type="radio" name="visibility" value="shared" defaultChecked={visibility !== "internal"} />
                Shared reply (the client sees it)
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" name="visibility" value="internal" defaultChecked={visibility === "internal"} />
                Internal note — staff only
              </label>
              {mine?.errors.visibility ? <p className="text-sm text-red-700">{mine.errors.visibility}</p> : null}
            </fieldset>
          )
        ) : null}
        <SubmitButton name="intent" value="reply" pendingWhen={{ parentId: post.id }} pendingLabel="Sending…" compact>
          Send reply
        </SubmitButton>
      </Form>
    </details>
  );
}
