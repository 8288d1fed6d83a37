// What the server hands every loader and action besides the request (see server/index.ts).
declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The nonce this response's Content-Security-Policy allows scripts with. */
    cspNonce: string;
    /** The client's IP address, for throttling and the audit log. */
    clientIp: string;
    /** Short id of this request, in the logs and on error pages. */
    requestId: string;
    /**
     * Set by handleError (app/entry.server.tsx) when a loader or action could not reach the
     * database: the request is then answered 503, not 500.
     */
    databaseUnavailable?: boolean;
  }
}

export {};
