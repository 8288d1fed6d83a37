import { z } from "zod";

// What the app does to text people type, wherever it arrives (a form field, a search box).
//
// NUL (U+0000) is removed: Postgres text can't hold it, it has no meaning in anything a person
// writes, and refusing it would only puzzle whoever pasted it. Everything else is kept exactly as
// typed — right-to-left marks and zero-width joiners are part of real writing (Arabic, Hebrew,
// emoji sequences), and markup is harmless because every page escapes text and Markdown is
// rendered without raw HTML (app/components/markdown.tsx). Lone surrogates never arrive: a form
// is sent as UTF-8, which turns them into U+FFFD.

export function withoutNul(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
}

export const SEARCH_MAX = 200;

/**
 * A list's search box (`?q=`): NUL removed, trimmed, and cut to SEARCH_MAX characters (a longer
 * query could only match less, so it is shortened rather than refused); empty means no search.
 */
export const searchQuery = () =>
  z
    .string()
    .overwrite(withoutNul)
    .trim()
    .transform((q) => q.slice(0, SEARCH_MAX).replace(/[\ud800-\udbff]$/, "") || undefined)
    .optional()
    .catch(undefined);
