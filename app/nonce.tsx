import { createContext, useContext } from "react";

// What the server knows about the response being rendered: the CSP nonce that lets Remix's
// scripts run, and the request id shown on error pages. In the browser both are empty.
type RequestInfo = { nonce: string; requestId: string };

const RequestInfoContext = createContext<RequestInfo>({ nonce: "", requestId: "" });

export const RequestInfoProvider = RequestInfoContext.Provider;

export function useNonce() {
  return useContext(RequestInfoContext).nonce;
}

/**
 * The id of the request that rendered this document. The server knows it from its context; in
 * the browser it is read back from the <html> element, so hydration renders the same text.
 */
export function useRequestId() {
  const fromServer = useContext(RequestInfoContext).requestId;
  if (fromServer) return fromServer;
  return typeof document === "undefined" ? "" : (document.documentElement.dataset.requestId ?? "");
}
