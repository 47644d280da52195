import { createHash } from "node:crypto";
import { nearestKey } from "@hookline/core";

/** Where one endpoint publishes: its broker and, within it, the exchange and routing key. */
export interface AmqpTarget {
  readonly broker: BrokerAddress;
  /** "" is the default exchange, which routes to the queue named by the routing key. */
  readonly exchange: string;
  /** Undefined: the event code is the routing key. */
  readonly routingKey: string | undefined;
}

/** One broker login: every endpoint with the same address shares its connection. */
export interface BrokerAddress {
  readonly protocol: "amqp" | "amqps";
  readonly hostname: string;
  readonly port: number;
  readonly vhost: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** Scheme, host, port, vhost and a digest of the credentials: the connection's identity. */
  readonly key: string;
  /** `amqp://host:port/vhost`, without credentials: safe for messages. */
  readonly display: string;
}

export type ParsedAmqpUrl =
  | { readonly ok: true; readonly target: AmqpTarget }
  | { readonly ok: false; readonly reason: string };

const QUERY_KEYS = ["exchange", "routingKey"] as const;
/** AMQP short strings (exchange, routing key, vhost) hold at most 255 bytes. */
const SHORTSTR_MAX = 255;
/** The characters RabbitMQ accepts in an exchange name. */
const EXCHANGE_NAME = /^[A-Za-z0-9_.:-]*$/;
// C0 controls and DEL: legal bytes in a short string, but never what an author meant.
const hasControl = (s: string) => [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

const fail = (reason: string): ParsedAmqpUrl => ({ ok: false, reason });

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function parseVhost(pathname: string): string | { error: string } {
  // amqplib's reading: no path and "/" both mean the default vhost "/".
  if (pathname === "" || pathname === "/") return "/";
  const raw = pathname.slice(1);
  if (raw.includes("/")) return { error: "the vhost must be one path segment (write / inside it as %2F)" };
  const vhost = decode(raw);
  if (vhost === undefined) return { error: "the vhost is not valid percent-encoding" };
  if (Buffer.byteLength(vhost) > SHORTSTR_MAX)
    return { error: `the vhost is longer than ${SHORTSTR_MAX} bytes` };
  if (hasControl(vhost)) return { error: "the vhost contains a control character" };
  return vhost;
}

function parseQuery(search: URLSearchParams): { exchange: string; routingKey?: string } | { error: string } {
  const seen = new Set<string>();
  for (const key of search.keys()) {
    if (!(QUERY_KEYS as readonly string[]).includes(key)) {
      const near = nearestKey(key, QUERY_KEYS);
      const hint = near === undefined ? "" : ` (did you mean "${near}"?)`;
      return {
        error: `unknown query parameter ${JSON.stringify(key)}${hint}; expected only exchange, routingKey`,
      };
    }
    if (seen.has(key)) return { error: `the query parameter ${key} is given twice` };
    seen.add(key);
  }
  const exchange = search.get("exchange") ?? "";
  if (Buffer.byteLength(exchange) > SHORTSTR_MAX)
    return { error: `exchange is longer than ${SHORTSTR_MAX} bytes` };
  if (!EXCHANGE_NAME.test(exchange)) {
    return {
      error: `exchange ${JSON.stringify(exchange)} has a character outside letters, digits, "-", "_", "." and ":"`,
    };
  }
  const routingKey = search.get("routingKey");
  if (routingKey === null) return { exchange };
  if (routingKey === "") return { error: "routingKey is empty; leave it out to route by the event code" };
  if (Buffer.byteLength(routingKey) > SHORTSTR_MAX) {
    return { error: `routingKey is longer than ${SHORTSTR_MAX} bytes` };
  }
  if (hasControl(routingKey)) return { error: "routingKey contains a control character" };
  return { exchange, routingKey };
}

function credentialDigest(username: string | undefined, password: string | undefined): string {
  if (username === undefined && password === undefined) return "-";
  // The key tells logins apart without holding the password in a readable form.
  return createHash("sha256")
    .update(`${username ?? ""}\0${password ?? ""}`)
    .digest("base64url")
    .slice(0, 22);
}

/**
 * Read `amqp[s]://[user:pass@]host[:port][/vhost]?exchange=NAME&routingKey=KEY`. A reason never
 * quotes the URL or its credentials, so it can go into an error message as it is.
 */
export function parseAmqpUrl(url: string): ParsedAmqpUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail("the url does not parse (check the host, and that the port is a number from 1 to 65535)");
  }
  if (u.protocol !== "amqp:" && u.protocol !== "amqps:") {
    return fail(`expected an amqp: or amqps: URL, got ${JSON.stringify(u.protocol)}`);
  }
  const protocol = u.protocol === "amqp:" ? "amqp" : "amqps";
  const hostname = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (hostname === "") return fail("the url has no host");
  if (u.port === "0") return fail("the port must be from 1 to 65535");
  const port = u.port === "" ? (protocol === "amqp" ? 5672 : 5671) : Number(u.port);
  if (u.hash !== "") return fail("the url has a #fragment, which means nothing to a broker");
  const vhost = parseVhost(u.pathname);
  if (typeof vhost !== "string") return fail(vhost.error);
  const query = parseQuery(u.searchParams);
  if ("error" in query) return fail(query.error);
  const username = u.username === "" ? undefined : decode(u.username);
  const password = u.password === "" ? undefined : decode(u.password);
  if ((u.username !== "" && username === undefined) || (u.password !== "" && password === undefined)) {
    return fail("the credentials are not valid percent-encoding");
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const display = `${protocol}://${host}:${port}/${encodeURIComponent(vhost)}`;
  return {
    ok: true,
    target: {
      broker: {
        protocol,
        hostname,
        port,
        vhost,
        username,
        password,
        key: `${display}#${credentialDigest(username, password)}`,
        display,
      },
      exchange: query.exchange,
      routingKey: query.routingKey,
    },
  };
}
