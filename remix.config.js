// Remix options, read by vite.config.ts and passed to the Remix Vite plugin.
/** @type {import("@remix-run/dev").VitePluginConfig} */
export default {
  appDirectory: "app",
  buildDirectory: "build",
  ignoredRouteFiles: ["**/*.test.*", "**/.*"],
  future: {
    // v3_lazyRouteDiscovery stays off: the route manifest (a few KB gzipped for this app's
    // routes) then comes as one immutable asset, cached by the browser, instead of a partial
    // manifest worked out by matching the address against every route again and written into
    // each page.
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
  },
};
