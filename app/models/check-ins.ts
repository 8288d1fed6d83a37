// What a check-in's scores mean in words, shared by the client's form and the staff pages
// (pure: components and routes import it freely).

export const MOOD_MAX = 5;
export const SCALE_MAX = 10;

export const MOOD_WORDS: Record<number, string> = {
  1: "Very low",
  2: "Low",
  3: "Okay",
  4: "Good",
  5: "Very good",
};

/** The words at the two ends of the 1–10 scales, shown beside the choices. */
export const SCALE_ENDS = {
  progress: { low: "Just starting out", high: "Where I want to be" },
  closeness: { low: "Distant, little trust", high: "Close, trusting" },
} as const;

/** "Mood 4 of 5 (Good)" and friends: how a score reads aloud. */
export function scoreText(kind: "mood" | "progress" | "closeness", value: number) {
  if (kind === "mood") return `${value} of ${MOOD_MAX} (${MOOD_WORDS[value] ?? "unknown"})`;
  return `${value} of ${SCALE_MAX}`;
}

/** The change since the previous check-in as text: "+2", "−1", "no change", or null when there is none to compare. */
export function changeText(current: number, previous: number | null | undefined) {
  if (previous === null || previous === undefined) return null;
  const delta = current - previous;
  if (delta === 0) return "no change";
  return delta > 0 ? `+${delta}` : `−${Math.abs(delta)}`;
}

/** Page sizes the review queue offers. */
export const QUEUE_PER_PAGE = [10, 25, 50] as const;
