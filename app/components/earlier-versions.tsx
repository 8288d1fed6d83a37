import { Markdown } from "~/components/markdown";

type EarlierVersion = { id: string; body: string; replacedAt: string };

/**
 * The texts an edited note or message had before, in the order given, folded away under a
 * summary. Renders nothing when the text was never edited. `formatTime` is the page's date format.
 */
export function EarlierVersions({ versions, formatTime }: { versions: readonly EarlierVersion[]; formatTime: (iso: string) => string }) {
  if (versions.length === 0) return null;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-stone-700">Earlier versions ({versions.length})</summary>
      <ol className="mt-2 space-y-2">
        {versions.map((version) => (
          <li key={version.id} className="rounded-md border border-stone-200 bg-stone-50 p-3">
            <p className="text-xs text-stone-600">
              Replaced <time dateTime={version.replacedAt}>{formatTime(version.replacedAt)}</time>
            </p>
            <Markdown>{version.body}</Markdown>
          </li>
        ))}
      </ol>
    </details>
  );
}
