import type { ReactElement } from "react";
import { renderToString } from "react-dom/server";

// A page rendered to UTF-8 bytes without ever holding it as one string.
//
// React's renderToString appends every piece of markup to one string, and encoding it then copies
// it flat. A flat string of more than 128 KB (64K characters once any character is outside
// Latin-1, as a dash, a curly quote or an emoji makes it) goes to V8's large-object space, where
// each allocation maps fresh memory: about 0.6–0.8 ms a page on this machine, a tenth of the long
// thread's and the case list's Node time. patches/react-dom+18.3.1.patch gives renderToString a
// `parts` option: the markup is handed over in strings of about 16K characters, each encoded on
// its own into one buffer. Without the patch the option is ignored and the page is encoded whole,
// which is slower but the same bytes.

export type PartsOptions = NonNullable<Parameters<typeof renderToString>[1]> & { parts: string[] };

export function renderToHtmlBytes(element: ReactElement, prefix = "<!DOCTYPE html>"): Buffer<ArrayBuffer> {
  const parts: string[] = [prefix];
  const options: PartsOptions = { parts };
  parts.push(renderToString(element, options));
  let length = 0;
  const sizes = parts.map((part) => {
    const size = Buffer.byteLength(part);
    length += size;
    return size;
  });
  const bytes = Buffer.allocUnsafe(length);
  let offset = 0;
  parts.forEach((part, i) => {
    bytes.write(part, offset);
    offset += sizes[i]!;
  });
  return bytes;
}
