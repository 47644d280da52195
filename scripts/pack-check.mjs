// Each package must stand alone: `pnpm pack` it, install the tarballs into an empty project with
// npm, and import every entry point. Install scripts are skipped (better-sqlite3 would compile for
// minutes), so this checks packaging — exports maps, files, dependency ranges — not the driver.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const packages = [
  "core",
  "events-buyer",
  "transport-http",
  "transport-amqp",
  "transport-nats",
  "store-knex",
  "admin",
];
const out = mkdtempSync(join(tmpdir(), "hookline-pack-"));
const pnpm = ["-y", "pnpm@10.34.9"];
const tarballs = [];
for (const p of packages) {
  const dir = join(root, "packages", p);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  execFileSync("npx", [...pnpm, "pack", "--pack-destination", out], { cwd: dir, stdio: "pipe" });
  const file = readdirSync(out).find(
    (f) => f.startsWith(manifest.name.replace("@", "").replace("/", "-")) && f.endsWith(".tgz"),
  );
  if (!file) throw new Error(`pack-check: no tarball for ${manifest.name}`);
  const listing = execFileSync("tar", ["-tzf", join(out, file)], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const stray = listing.filter(
    (f) =>
      !/^package\/(dist\/|bin\/[\w.-]+\.js$|package\.json$|README\.md$|LICENSE$)/.test(f) ||
      /\.test\.|__tests__|__fixtures__/.test(f),
  );
  if (stray.length)
    throw new Error(`pack-check: ${manifest.name} ships unexpected files: ${stray.slice(0, 5).join(", ")}`);
  tarballs.push(join(out, file));
  console.log(`packed ${manifest.name}: ${listing.length} files`);
}
const app = mkdtempSync(join(tmpdir(), "hookline-app-"));
writeFileSync(
  join(app, "package.json"),
  JSON.stringify({ name: "empty-app", private: true, type: "module" }),
);
execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", ...tarballs], {
  cwd: app,
  stdio: "inherit",
});
const probe = `
import * as core from "@hookline/core";
import * as buyer from "@hookline/events-buyer";
import * as http from "@hookline/transport-http";
import * as amqp from "@hookline/transport-amqp";
import * as nats from "@hookline/transport-nats";
import * as store from "@hookline/store-knex";
import * as admin from "@hookline/admin";
const checks = {
  "@hookline/core": typeof core.createHookline === "function" && typeof core.verify === "function",
  "@hookline/events-buyer": typeof buyer.buyerEvents === "function",
  "@hookline/transport-http": typeof http.httpTransport === "function",
  "@hookline/transport-amqp": typeof amqp.amqpTransport === "function" && amqp.amqpTransport().name === "amqp",
  "@hookline/transport-nats": typeof nats.natsTransport === "function" && nats.natsTransport().name === "nats",
  "@hookline/store-knex": typeof store.knexStore === "function",
  "@hookline/admin": Object.keys(admin).length > 0,
};
const hooks = core.createHookline({ plugins: [buyer.buyerEvents()], endpoints: [], store: core.memoryStore(), transport: http.httpTransport() });
const r = await hooks.emit("add_credits", { buyerId: "1", buyerName: "n", postCodeList: [], topUpAmount: 1 });
checks["emit through the packed packages"] = typeof r.eventId === "string";
await hooks.stop();
// The dashboard's browser modules are compiled into dist and read from there at run time.
const server = admin.createAdminServer({ store: core.memoryStore(), endpoints: [], token: "t".repeat(32), port: 0 });
const base = await server.listen();
const js = await fetch(base + "/assets/dashboard.js");
checks["the packed admin serves its dashboard modules"] =
  js.status === 200 && (await js.text()).includes('from "./api.js"') && (await fetch(base + "/assets/api.js")).ok;
await server.close();
const bad = Object.entries(checks).filter(([, ok]) => !ok);
for (const [name, ok] of Object.entries(checks)) console.log(ok ? "ok  " : "FAIL", name);
process.exit(bad.length ? 1 : 0);
`;
writeFileSync(join(app, "probe.mjs"), probe);
execFileSync("node", ["probe.mjs"], { cwd: app, stdio: "inherit" });
// The bin as an installed project runs it: linked by the installer, never fetched.
const version = execFileSync(join(app, "node_modules", ".bin", "hookline"), ["--version"], {
  cwd: app,
  encoding: "utf8",
}).trim();
if (version !== JSON.parse(readFileSync(join(root, "packages", "admin", "package.json"), "utf8")).version)
  throw new Error(`pack-check: node_modules/.bin/hookline --version printed ${JSON.stringify(version)}`);
console.log(`ok   hookline bin (${version})`);
console.log("pack-check: every package installs and imports in an empty project");
