import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// ipaddr.js names every special-purpose range; only plain unicast is public. IPv6 is further held
// to 2000::/3, the only block IANA allocates as global unicast: that catches IPv4-compatible
// addresses (::a.b.c.d) and the rest of ::/8, which ipaddr.js labels "unicast".
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR("2000::/3");

/** A parsed CIDR from the allowlist. */
export type Cidr = readonly [Address, number];

/** Parse an IP address written any way ipaddr.js accepts; undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined;
}

/**
 * The named range an address falls in, or "unicast" when it is public. IPv4-mapped addresses are
 * reported as such (never unmapped): they are forbidden outright so no notation of an internal
 * IPv4 address slips through an IPv6 form.
 */
export function addressRange(addr: Address): string {
  const range = addr.range();
  if (range !== "unicast") return range;
  if (addr.kind() === "ipv6" && !(addr as ipaddr.IPv6).match(IPV6_GLOBAL_UNICAST)) return "reserved";
  return "unicast";
}

/**
 * Parse an allowlist CIDR or single address. IPv4 must be four-part decimal: ipaddr.js (like
 * inet_aton) would read "10/8" as 0.0.0.10/8, which is never what an operator means.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = slash === -1 ? text : text.slice(0, slash);
  if (ipaddr.IPv4.isValid(ip) && !ipaddr.IPv4.isValidFourPartDecimal(ip)) return undefined;
  if (slash === -1) {
    const addr = parseAddress(ip);
    return addr ? [addr, addr.kind() === "ipv4" ? 32 : 128] : undefined;
  }
  if (!/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  try {
    return ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
}

/** True when `addr` (or the IPv4 address it maps) lies in one of `cidrs`. */
export function inCidrs(addr: Address, cidrs: readonly Cidr[]): boolean {
  const forms: Address[] = [addr];
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    forms.push((addr as ipaddr.IPv6).toIPv4Address());
  }
  return forms.some((form) =>
    cidrs.some(([net, bits]) => net.kind() === form.kind() && form.match(net, bits)),
  );
}
