import { useNavigate } from "@remix-run/react";
import { useEffect, type AnchorHTMLAttributes, type ReactNode } from "react";

// Links for places that render many of them: a row per case or question, a "Reply" under every
// message. A router <Link> resolves its address against the route tree each time it renders on
// the server (tens of microseconds; the 200-message thread had over 300), so these are plain
// anchors. With JavaScript, useFastLinkNavigation (once, in the root) sends a plain click on one
// through the router, as a <Link> would: no full page load. Without, the browser follows it.

type FastLinkProps = Pick<AnchorHTMLAttributes<HTMLAnchorElement>, "className" | "rel" | "title" | "aria-current" | "aria-label"> & {
  /** An address the browser can follow as written: "/cases/…", "?page=2", "?replyTo=…#reply-…". */
  to: string;
  /** Keep the scroll position (links that change the page's own search, like a table's sort). */
  keepScroll?: boolean;
  /** Marks the question link of a triage row, which the queue's keyboard moves between. */
  "data-thread-link"?: string;
  children: ReactNode;
};

// The attributes are passed one by one, not spread (`{...rest}`): with the props' shapes
// varying from one link to the next, spreading them made a link cost four times a plain anchor
// (5 µs against 1.2), and a long thread renders a few hundred.
export function FastLink(props: FastLinkProps) {
  return (
    <a
      href={props.to}
      className={props.className}
      rel={props.rel}
      title={props.title}
      aria-current={props["aria-current"]}
      aria-label={props["aria-label"]}
      data-thread-link={props["data-thread-link"]}
      data-fast-link=""
      data-keep-scroll={props.keepScroll ? "" : undefined}
    >
      {props.children}
    </a>
  );
}

/** One click listener for every FastLink on the page: plain left clicks navigate in the app. */
export function useFastLinkNavigation() {
  const navigate = useNavigate();
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = event.target instanceof Element ? event.target.closest("a[data-fast-link]") : null;
      if (!(link instanceof HTMLAnchorElement) || link.target || link.origin !== window.location.origin) return;
      event.preventDefault();
      // The browser has already resolved the address against the page, as it would without us.
      navigate(`${link.pathname}${link.search}${link.hash}`, { preventScrollReset: link.hasAttribute("data-keep-scroll") });
    };
    document.addEventListener("click", onClick);
    return () => document.removeEventListener("click", onClick);
  }, [navigate]);
}
