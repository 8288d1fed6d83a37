import { createContext, useContext } from "react";

// What the server knows about the response being rendered: the CSP nonce that lets Remix's
// scripts run, and the request id shown on error pages. In the browser both are empty.
type RequestInfo = { nonce: string; requestId: string };

const RequestInfoContext = createContext<RequestInfo>({ nonce: "", requestId: "" });

export const RequestInfoProvider = RequestInfoContext.Provider;

export function useNonce() {
  return useContext(RequestInfoContext).nonce;
}

export function useRequestId() {
  return useContext(RequestInfoContext).requestId;
}
