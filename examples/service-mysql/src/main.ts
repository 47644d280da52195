import { loadConfig } from "@hookline/core";
import { buyerService, migrateBuyers } from "./app.js";
import { compose } from "./compose.js";
import { configFromEnv } from "./service-config.js";

// Endpoints come from the constants file (hookline.config.ts/json in the working directory).
const cfg = configFromEnv(process.env);
const { config } = await loadConfig();
const { db, hooks, buyersTable } = compose(cfg, config.endpoints);
await hooks.start();
await migrateBuyers(db, buyersTable);
const server = buyerService(db, hooks, buyersTable).listen(cfg.port, "127.0.0.1", () =>
  console.log(`buyer service on http://127.0.0.1:${cfg.port} (log: ${cfg.store.databaseUrl})`),
);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, async () => {
    server.close();
    await hooks.stop();
    await db.destroy();
  });
}
