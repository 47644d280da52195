/** Where one endpoint publishes: a server, the credentials to log in with, and a subject. */
export interface NatsTarget {
  /** `host:port` as the client dials it (IPv6 in brackets). */
  readonly server: string;
  readonly user?: string;
  readonly pass?: string;
  /** A URL with a user name and no password carries a token (`nats://TOKEN@host/SUBJECT`). */
  readonly token?: string;
  readonly subject: string;
  /**
   * The server with its credentials: endpoints that share it share one connection. Holds
   * secrets: never log it.
   */
  readonly connectionKey: string;
}

export type ParsedNatsUrl =
  | { readonly ok: true; readonly target: NatsTarget }
  | { readonly ok: false; readonly reason: string };

/** The port a NATS server listens on unless the URL names another. */
export const DEFAULT_NATS_PORT = 4222;

/** Schemes this transport serves. */
export const NATS_SCHEMES: readonly string[] = Object.freeze(["nats"]);

// Characters that may not appear in a subject we publish to: white space and control
// characters split the protocol line; `*` and `>` are wildcards, which are for subscribing only.
const BAD_SUBJECT_CHAR = /[\s\p{Cc}*>]/u;
const MAX_SUBJECT_LENGTH = 1024;

const fail = (reason: string): ParsedNatsUrl => ({ ok: false, reason });

/** The port part of the authority, checked by hand so the message never quotes the credentials. */
function portProblem(url: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
  if (authority === undefined) return undefined;
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
  if (port === undefined || port === "") return undefined;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return `the port must be a number from 1 to 65535, got ${JSON.stringify(port.slice(0, 16))}`;
  }
  return undefined;
}

function subjectProblem(subject: string): string | undefined {
  if (subject === "") return "the URL has no subject: write nats://host[:port]/SUBJECT";
  if (subject.length > MAX_SUBJECT_LENGTH)
    return `the subject is longer than ${MAX_SUBJECT_LENGTH} characters`;
  if (BAD_SUBJECT_CHAR.test(subject)) {
    return "the subject may not contain white space, control characters or the wildcards * and >";
  }
  if (subject.split(".").some((token) => token === "")) {
    return "the subject has an empty token (a leading, trailing or doubled '.')";
  }
  return undefined;
}

function decode(part: string, what: string): string | { problem: string } {
  try {
    return decodeURIComponent(part);
  } catch {
    return { problem: `the ${what} is not valid percent-encoding` };
  }
}

/**
 * Parse `nats://[user:pass@|token@]host[:port]/SUBJECT`. Reasons never quote the user name,
 * password or token, so they are safe to show.
 */
export function parseNatsUrl(url: string): ParsedNatsUrl {
  const badPort = portProblem(url);
  if (badPort !== undefined) return fail(badPort);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail("the URL does not parse: write nats://[user:pass@]host[:port]/SUBJECT");
  }
  if (!NATS_SCHEMES.includes(u.protocol.slice(0, -1))) {
    return fail(`the scheme must be nats:, got ${JSON.stringify(u.protocol)}`);
  }
  if (u.hostname === "") return fail("the URL has no host: write nats://host[:port]/SUBJECT");
  const names = [...new URLSearchParams(u.search).keys()];
  if (names.length > 0 || u.search === "?") {
    const first = names[0] === undefined ? "" : ` (${JSON.stringify(names[0].slice(0, 32))})`;
    return fail(`unknown query parameter${first}: a NATS URL takes none`);
  }
  if (u.hash !== "") return fail("the URL may not have a #fragment");
  const subject = decode(u.pathname.replace(/^\//, ""), "subject");
  if (typeof subject !== "string") return fail(subject.problem);
  const badSubject = subjectProblem(subject);
  if (badSubject !== undefined) return fail(badSubject);
  const user = decode(u.username, "user name");
  const pass = decode(u.password, "password");
  if (typeof user !== "string") return fail(user.problem);
  if (typeof pass !== "string") return fail(pass.problem);
  if (user === "" && pass !== "") return fail("the URL has a password but no user name");
  const host = u.hostname.toLowerCase();
  const server = `${host}:${u.port === "" ? DEFAULT_NATS_PORT : u.port}`;
  const auth = user === "" ? {} : pass === "" ? { token: user } : { user, pass };
  return {
    ok: true,
    target: {
      server,
      ...auth,
      subject,
      connectionKey: JSON.stringify([server, user, pass]),
    },
  };
}
