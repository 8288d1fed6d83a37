import { describe, expect, it } from "vitest";
import { buildThreadTree, MAX_REPLY_DEPTH, relativeTime, type ThreadNode } from "~/components/thread-view";

// The thread view's tree: replies nest under the post they answer, four levels deep; deeper
// replies stay at the fourth level right after the post they answer, naming its author.

type P = { id: string; parentId: string | null; authorName: string };

const post = (id: string, parentId: string | null, authorName = `Author ${id}`): P => ({ id, parentId, authorName });

/** "id@depth(replyingTo)" in display order, children right after their parent. */
function flatten(nodes: ThreadNode<P>[]): string[] {
  return nodes.flatMap((n) => [`${n.post.id}@${n.depth}${n.replyingTo ? `(${n.replyingTo})` : ""}`, ...flatten(n.children)]);
}

describe("buildThreadTree", () => {
  it("nests replies under the post they answer, in the order written", () => {
    const tree = buildThreadTree([post("q", null), post("a", "q"), post("b", "q"), post("a1", "a"), post("b1", "b"), post("a2", "a")]);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.children.map((c) => c.post.id)).toEqual(["a", "b"]);
    expect(tree[0]!.children[0]!.children.map((c) => c.post.id)).toEqual(["a1", "a2"]);
    expect(flatten(tree)).toEqual(["q@0", "a@1", "a1@2", "a2@2", "b@1", "b1@2"]);
  });

  it("shows four levels of replies and keeps deeper ones at the fourth, saying whom they answer", () => {
    expect(MAX_REPLY_DEPTH).toBe(4);
    const chain = [post("q", null), post("r1", "q"), post("r2", "r1"), post("r3", "r2"), post("r4", "r3", "Casey"), post("r5", "r4", "Jordan"), post("r6", "r5"), post("x", "r3")];
    const tree = buildThreadTree(chain);
    expect(flatten(tree)).toEqual(["q@0", "r1@1", "r2@2", "r3@3", "r4@4", "r5@4(Casey)", "r6@4(Jordan)", "x@4"]);
    // The level-four post has no nested children: its answers are its siblings.
    const level3 = tree[0]!.children[0]!.children[0]!.children[0]!;
    expect(level3.post.id).toBe("r3");
    expect(level3.children.map((c) => c.post.id)).toEqual(["r4", "r5", "r6", "x"]);
    expect(level3.children.every((c) => c.children.length === 0)).toBe(true);
  });

  it("places a deep reply right after the post it answers, before later siblings", () => {
    const posts = [post("q", null), post("a", "q"), post("b", "a"), post("c", "b"), post("d1", "c", "D1"), post("d2", "c"), post("late", "d1")];
    expect(flatten(buildThreadTree(posts))).toEqual(["q@0", "a@1", "b@2", "c@3", "d1@4", "late@4(D1)", "d2@4"]);
  });

  it("treats posts whose parent is missing or not yet seen as roots, and ignores repeated ids", () => {
    const tree = buildThreadTree([post("q", null), post("orphan", "gone"), post("early", "later"), post("later", "q"), post("q", null)]);
    expect(flatten(tree)).toEqual(["q@0", "later@1", "orphan@0", "early@0"]);
  });

  it("starts a later page's reply to a post on an earlier page at the top, naming whom it answers", () => {
    type Paged = P & { earlierParentName?: string | null };
    const page: Paged[] = [
      { ...post("x", "gone"), earlierParentName: "Casey" },
      post("x1", "x"),
      post("x2", "x1"),
      { ...post("y", "gone"), earlierParentName: "Casey" },
      { ...post("z", "older"), earlierParentName: "Jordan" },
      post("z1", "z"),
      post("w", null),
    ];
    const tree = buildThreadTree(page);
    expect(tree.map((n) => [n.post.id, n.depth, n.replyingTo])).toEqual([
      ["x", 0, "Casey"],
      ["y", 0, "Casey"],
      ["z", 0, "Jordan"],
      ["w", 0, null],
    ]);
    // Its own replies on the page nest under it as usual, without naming anyone.
    expect(flatten(tree)).toEqual(["x@0(Casey)", "x1@1", "x2@2", "y@0(Casey)", "z@0(Jordan)", "z1@1", "w@0"]);
    // The depth cap counts from the top of the page.
    const deep = [{ ...post("d0", "gone"), earlierParentName: "Robin" }, post("d1", "d0"), post("d2", "d1"), post("d3", "d2"), post("d4", "d3", "Four"), post("d5", "d4")];
    expect(flatten(buildThreadTree(deep))).toEqual(["d0@0(Robin)", "d1@1", "d2@2", "d3@3", "d4@4", "d5@4(Four)"]);
    // A name given for a post whose parent is on the page changes nothing.
    expect(flatten(buildThreadTree([post("q", null), { ...post("a", "q"), earlierParentName: "Nobody" }]))).toEqual(["q@0", "a@1"]);
  });

  it("handles an empty thread and a long chain without trouble", () => {
    expect(buildThreadTree([])).toEqual([]);
    const long = [post("p0", null), ...Array.from({ length: 500 }, (_, i) => post(`p${i + 1}`, `p${i}`))];
    const flat = flatten(buildThreadTree(long));
    expect(flat).toHaveLength(501);
    expect(flat.slice(0, 6)).toEqual(["p0@0", "p1@1", "p2@2", "p3@3", "p4@4", "p5@4(Author p4)"]);
    expect(flat.at(-1)).toBe("p500@4(Author p499)");
  });
});

describe("relativeTime", () => {
  const now = "2026-03-12T12:00:00.000Z";
  const ago = (ms: number) => new Date(new Date(now).getTime() - ms).toISOString();
  it.each([
    [10_000, "just now"],
    [5 * 60_000, "5 minutes ago"],
    [60 * 60_000, "1 hour ago"],
    [3 * 3600_000, "3 hours ago"],
    [24 * 3600_000, "yesterday"],
    [4 * 86_400_000, "4 days ago"],
    [40 * 86_400_000, "31 Jan 2026"],
  ])("%i ms ago reads %s", (ms, expected) => {
    expect(relativeTime(ago(ms), now)).toBe(expected);
  });
});
