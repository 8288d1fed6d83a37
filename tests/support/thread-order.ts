import { buildThreadTree, type ThreadNode } from "~/components/thread-view";

// What the thread tests compare the database's order with: the thread view's own tree
// (buildThreadTree), and a repeatable supply of random numbers to shape the threads they write.

/**
 * The ids of `posts` (given in the order written) in the order the thread view shows them, for
 * a reader who sees just these: a post whose parent isn't among them starts a tree of its own.
 */
export function threadViewOrder(posts: readonly { id: string; parentId: string | null }[]): string[] {
  const ids = new Set(posts.map((p) => p.id));
  const tree = buildThreadTree(
    posts.map((p) => ({ id: p.id, parentId: p.parentId && ids.has(p.parentId) ? p.parentId : null, authorName: "" })),
    Number.MAX_SAFE_INTEGER,
  );
  const flatten = (nodes: ThreadNode<{ id: string }>[]): string[] => nodes.flatMap((n) => [n.post.id, ...flatten(n.children)]);
  return flatten(tree);
}

/** A little random generator, the same every run for the same seed: numbers in [0, 1). */
export function seededRandom(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
