import { expect } from "vitest";

// Reading a rendered thread page's reply and edit forms. Each post has "Reply" (and, under the
// viewer's own posts on the staff page, "Edit") as a link; the page holds at most one such form,
// in a box with the id reply-<post> (or edit-<post>) inside that post.

/** The posts a page has a reply form under (the main form, answering the question itself, has parentId ""). */
export function nestedReplyForms(html: string) {
  return [...html.matchAll(/name="parentId" value="([^"]+)"/g)].map((m) => m[1]);
}

/** The posts a page has an edit form under. */
export function editForms(html: string) {
  return [...html.matchAll(/name="postId" value="([^"]+)"/g)].map((m) => m[1]);
}

/** The page's HTML from the form box under `postId` to the end of that post; fails if the box isn't inside the post. */
export function formUnder(html: string, postId: string, kind: "reply" | "edit" = "reply") {
  const post = html.indexOf(`<li id="post-${postId}"`);
  const box = html.indexOf(`id="${kind}-${postId}"`);
  expect(post, `post ${postId} on the page`).toBeGreaterThanOrEqual(0);
  expect(box, `the ${kind} form sits under post ${postId}`).toBeGreaterThan(post);
  const next = html.indexOf(`<li id="post-`, post + 1);
  expect(next === -1 || next > box, `no other post between post ${postId} and its ${kind} form`).toBe(true);
  return html.slice(box, html.indexOf("</article>", box));
}
