import { ensureBuild } from "./support/app-server";

// `npm run test:system` runs this first: the system tests serve the production build.
await ensureBuild();
