import { Form, Link } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { ROLE_LABELS } from "~/auth/permissions";
import { FastLink } from "~/components/fast-link";
import { FormMessage, SubmitButton, TextAreaField } from "~/components/form";
import { Markdown } from "~/components/markdown";
import { formatLongDateTime, relativeTime } from "~/dates";
import type { Role, ThreadStatus } from "../../db/schema";

// A question thread read like the comments under a blog article: the question on top, each reply
// indented under the post it answers. Four levels of replies are indented; a reply to a post that
// is already at the fourth level stays at that level, right after the post it answers, and says
// whom it is replying to. The tree is built here, from the flat list the model returns in order.
//
// Under each post, "Reply" is a plain link to ?replyTo=<post>#reply-<post>: the page (its loader
// checks the post is one this reader sees in this thread) renders one reply form, under that
// post, with a "Cancel" link back. One form instead of one per post keeps a long thread's page
// small, and a link works without JavaScript. The form posts to the page's own action with:
// intent=reply (staff: or replyAndClose), parentId, body, submissionKey and (staff only)
// visibility=shared|internal. A reply that fails comes back with its parentId: the form opens
// again under that post, with what was typed and the message beside the field.

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

type TreePost = {
  id: string;
  parentId: string | null;
  authorName: string;
  /** On a later page of a thread: who wrote the post this answers, which is on an earlier page. */
  earlierParentName?: string | null;
};

/**
 * Builds the displayed tree from posts in the order they were written (or a page of them in
 * display order). A post whose parent is missing (or comes later, which can't happen for real
 * posts) becomes a root; one whose parent is on an earlier page (earlierParentName) becomes a
 * root that says whom it is replying to, as a reply past the deepest level does.
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
  return roots.flatMap((root) => display(root, 0, root.post.earlierParentName ?? null));
}

// ---------------------------------------------------------------------------------------------
// Times: relative in the text, exact in the title and the <time> element.

/** "5 September 2026 at 03:04 UTC" */
export function exactTime(iso: string) {
  return `${formatLongDateTime(iso)} UTC`;
}

export { relativeTime };

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

export type ReplyOptions = {
  /** Staff may answer with an internal note. */
  allowInternal: boolean;
  /** The post whose reply form is open (?replyTo=, checked by the loader against the posts shown), or null. */
  replyTo: string | null;
  /** The reply form that failed (its values carry parentId): it opens again under that post with text and message. */
  failed?: ReplyFailure;
  /** The page's submission key: a reply sent twice is stored once. */
  submissionKey?: string;
  /** Staff: a "Send reply and close" button beside "Send reply" (leave it off on a closed thread). */
  allowClose?: boolean;
  /** What the reply box starts with (a saved reply inserted), unless a failed reply brings its own text. */
  initialBody?: string;
  /** Above the form, outside it: e.g. the saved-reply picker, a form of its own. */
  tools?: ReactNode;
};

type ThreadViewProps<T extends ThreadViewPost> = {
  posts: readonly T[];
  /** The server's "now" (ISO), so relative times read the same on the server and in the browser. */
  now: string;
  /** Omit to show the thread without reply links or forms. */
  reply?: ReplyOptions;
  /** More links beside "Reply" under a post (e.g. "Edit"); null for none. */
  renderPostActions?: (post: T) => ReactNode;
  /** Anything more under a post: an edit form, earlier versions… */
  renderPostExtras?: (post: T) => ReactNode;
};

/** A link under a post ("Reply", "Edit"): to `?…` on this page, keeping the scroll position. */
export function PostLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <FastLink to={to} className="font-medium" keepScroll>
      {children}
    </FastLink>
  );
}

export function ThreadView<T extends ThreadViewPost>({ posts, now, reply, renderPostActions, renderPostExtras }: ThreadViewProps<T>) {
  const tree = buildThreadTree(posts);
  if (tree.length === 0) return <p className="card">No messages yet.</p>;
  return (
    <ol className="space-y-4" aria-label="Messages in this thread">
      {tree.map((node) => (
        <PostItem key={node.post.id} node={node} now={now} reply={reply} renderPostActions={renderPostActions} renderPostExtras={renderPostExtras} />
      ))}
    </ol>
  );
}

// ---------------------------------------------------------------------------------------------
// Pages: a long thread is shown THREAD_PAGE_SIZE messages at a time (the model reads only the
// page's posts). Plain links (?page=<n>), so paging works before JavaScript loads.

export type ThreadPageInfo = { page: number; pages: number; pageSize: number; total: number; newestPostId: string | null };

/** The page numbers to offer: the first, the last, and two either side of the current one; null for a gap. */
export function pageNumbers(page: number, pages: number): (number | null)[] {
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return shown.flatMap((p, i) => (i > 0 && p - shown[i - 1]! > 1 ? [null, p] : [p]));
}

/** "Messages 51–100 of 200" and, when there is more than one page, the links to the others. */
export function ThreadPager({ info }: { info: ThreadPageInfo }) {
  const { page, pages, pageSize, total } = info;
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-stone-700">{total === 0 ? "No messages yet" : `Messages ${first}–${last} of ${total}`}</p>
      {pages > 1 ? (
        <nav aria-label="Thread pages">
          <ul className="flex flex-wrap items-center gap-1">
            {page > 1 ? (
              <li>
                <FastLink to={`?page=${page - 1}`} rel="prev" className="btn-secondary px-3 py-1">
                  Previous
                </FastLink>
              </li>
            ) : null}
            {pageNumbers(page, pages).map((p, i) =>
              p === null ? (
                <li key={`gap-${i}`} aria-hidden="true" className="px-1 text-stone-500">
                  …
                </li>
              ) : (
                <li key={p}>
                  <FastLink
                    to={`?page=${p}`}
                    aria-current={p === page ? "page" : undefined}
                    className={`${p === page ? "btn" : "btn-secondary"} px-3 py-1`}
                  >
                    <span className="sr-only">Page </span>
                    {p}
                  </FastLink>
                </li>
              ),
            )}
            {page < pages ? (
              <li>
                <FastLink to={`?page=${page + 1}`} rel="next" className="btn-secondary px-3 py-1">
                  Next
                </FastLink>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}

/** A thread's messages with the page line above and below, and a way to the newest message. */
export function PagedThreadView<T extends ThreadViewPost>({ pagination, ...props }: ThreadViewProps<T> & { pagination: ThreadPageInfo }) {
  const paged = pagination.pages > 1;
  return (
    <div className="space-y-4">
      {paged && pagination.newestPostId ? (
        <p className="text-sm">
          <FastLink to={`?post=${pagination.newestPostId}#post-${pagination.newestPostId}`}>Newest message</FastLink>
        </p>
      ) : null}
      <ThreadPager info={pagination} />
      <ThreadView {...props} />
      {paged ? <ThreadPager info={pagination} /> : null}
    </div>
  );
}

function PostItem<T extends ThreadViewPost>({
  node,
  now,
  reply,
  renderPostActions,
  renderPostExtras,
}: { node: ThreadNode<T> } & Omit<ThreadViewProps<T>, "posts">) {
  const { post, depth, replyingTo, children } = node;
  const internal = post.visibility === "internal";
  const headingId = `post-${post.id}-by`;
  const replying = reply ? post.id === openReplyFor(reply) : false;
  const replyLink = reply !== undefined && !replying;
  const actions = renderPostActions ? renderPostActions(post) : null;
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
        {replyLink || actions != null ? (
          <p className="flex flex-wrap gap-x-4 text-sm">
            {replyLink ? (
              <PostLink to={`?replyTo=${post.id}#reply-${post.id}`}>
                Reply<span className="sr-only"> to {post.authorName}</span>
              </PostLink>
            ) : null}
            {actions}
          </p>
        ) : null}
        {reply && replying ? <ReplyForm post={post} reply={reply} /> : null}
        {renderPostExtras ? renderPostExtras(post) : null}
      </article>
      {children.length > 0 ? (
        <ol className="mt-3 space-y-3 border-l-2 border-stone-200 pl-3 sm:pl-5" aria-label={`Replies to ${post.authorName}`}>
          {children.map((child) => (
            <PostItem key={child.post.id} node={child} now={now} reply={reply} renderPostActions={renderPostActions} renderPostExtras={renderPostExtras} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/**
 * For a form that opens under a post (reply, edit): the cursor goes to its text box when it
 * appears, or moves to another post. Put the returned ref on the form's region.
 */
export function useFocusOnOpen(postId: string) {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    region.current?.querySelector("textarea")?.focus({ preventScroll: true });
  }, [postId]);
  return region;
}

/** The post the one reply form sits under: the failed reply's, else the one asked for. */
function openReplyFor(reply: ReplyOptions) {
  return reply.failed?.values.parentId || reply.replyTo;
}

function ReplyForm({ post, reply }: { post: ThreadViewPost; reply: ReplyOptions }) {
  const { allowInternal, failed = null, submissionKey, allowClose, initialBody, tools } = reply;
  const mine = failed && failed.values.parentId === post.id ? failed : null;
  const internalOnly = post.visibility === "internal";
  const visibility = mine?.values.visibility ?? (internalOnly ? "internal" : "shared");
  // Opened by following "Reply" (or by a reply that came back with a message): the cursor goes to
  // the box as the form appears under the post. Without JavaScript the link's #reply-… does the rest.
  const region = useFocusOnOpen(post.id);
  return (
    <div id={`reply-${post.id}`} ref={region} className="scroll-mt-4 space-y-3 rounded-md border border-stone-200 bg-stone-50 p-3 text-sm">
      {tools}
      <Form method="post" className="space-y-3" noValidate key={`${post.id}:${initialBody ?? ""}`}>
        <input type="hidden" name="parentId" value={post.id} />
        {submissionKey ? <input type="hidden" name="submissionKey" value={submissionKey} /> : null}
        <FormMessage error={mine?.errors.form ?? mine?.errors.parentId} />
        <TextAreaField
          label={`Your reply to ${post.authorName}`}
          name="body"
          rows={4}
          required
          defaultValue={mine ? mine.values.body : initialBody}
          error={mine?.errors.body}
        />
        {allowInternal ? (
          internalOnly ? (
            <>
              <input type="hidden" name="visibility" value="internal" />
              <p className="text-xs text-stone-600">A reply to an internal note is an internal note too: the client won't see it.</p>
              {mine?.errors.visibility ? <p className="text-sm text-red-700">{mine.errors.visibility}</p> : null}
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
        <div className="flex flex-wrap items-center gap-3">
          <SubmitButton name="intent" value="reply" pendingWhen={{ parentId: post.id }} pendingLabel="Sending…" compact>
            Send reply
          </SubmitButton>
          {allowClose ? (
            <SubmitButton name="intent" value="replyAndClose" pendingWhen={{ parentId: post.id }} variant="secondary" pendingLabel="Sending and closing…" compact>
              Send reply and close
            </SubmitButton>
          ) : null}
          <Link to={`?post=${post.id}#post-${post.id}`}>
            Cancel<span className="sr-only"> the reply to {post.authorName}</span>
          </Link>
        </div>
      </Form>
    </div>
  );
}
