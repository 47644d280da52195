import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { invalidOption } from "../errors.js";

// 127.0.0.0/8 and ::1. BlockList compares addresses, not spellings: 0:0:0:0:0:0:0:1 and
// ::ffff:127.0.0.1 match too.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** True for an IP literal in 127.0.0.0/8 or ::1; names are never loopback here. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 6 ? "ipv6" : "ipv4");
}

const notLoopback = (host: string, why: string) =>
  invalidOption("auth", `true (a token) when host "${host}" ${why}`, false);

/**
 * Without auth the server may only bind loopback. A prefix test is not enough: "127.evil.example"
 * starts like a loopback address and is a name that DNS answers. So the host must be an IP literal
 * in 127.0.0.0/8 or ::1, or "localhost", which checkResolvedLoopback() then resolves.
 */
export function checkLoopbackHost(host: string): void {
  if (isLoopbackAddress(host) || host.toLowerCase() === "localhost") return;
  throw notLoopback(
    host,
    isIP(host) !== 0
      ? "is not a loopback address"
      : "is not a loopback address (an IP literal in 127.0.0.0/8, ::1, or localhost)",
  );
}

/** "localhost" counts only if every address it resolves to is loopback (hosts files can say otherwise). */
export async function checkResolvedLoopback(
  host: string,
  resolve: (host: string) => Promise<readonly { address: string }[]> = (h) => lookup(h, { all: true }),
): Promise<void> {
  if (isIP(host) !== 0) return;
  const addresses = await resolve(host);
  const foreign = addresses.filter((a) => !isLoopbackAddress(a.address)).map((a) => a.address);
  if (addresses.length === 0 || foreign.length > 0)
    throw notLoopback(host, `resolves to an address that is not loopback (${foreign.join(", ") || "none"})`);
}
