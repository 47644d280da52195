import { describe, expect, it } from "vitest";
import type { EndpointConfig, EndpointTlsConfig } from "../endpoints/endpoint-config.js";
import { resolveEndpoints } from "../endpoints/resolve-endpoints.js";
import {
  CLIENT_CERT,
  CLIENT_KEY,
  CLIENT_KEY_ENCRYPTED,
  CLIENT_KEY_TRADITIONAL_ENCRYPTED,
  TEST_CA_CERT,
  TEST_CLIENT_PASSPHRASE,
  UNRELATED_KEY,
} from "../testing/test-ca.js";
import { errorMessageOf, SECRET } from "./helpers.js";

const resolveTls = (
  tls: EndpointTlsConfig,
  url = "https://mtls.example.com/hooks",
  env: NodeJS.ProcessEnv = {},
) =>
  resolveEndpoints([{ id: "mtls", url, events: "*", secret: SECRET, tls } as EndpointConfig], {
    knownCodes: ["order_placed"],
    env,
  })[0]!.tls;

// The body of a PEM: what must never show up in a message.
const bodyOf = (pem: string) => pem.split("\n")[1]!;

describe("endpoint tls", () => {
  it("resolves CA, client certificate, encrypted keys and servername, substituted and frozen", () => {
    const env = { CLIENT_KEY: CLIENT_KEY_ENCRYPTED, KEY_PASS: TEST_CLIENT_PASSPHRASE };
    const tls = resolveTls(
      {
        ca: TEST_CA_CERT,
        cert: CLIENT_CERT,
        key: "${CLIENT_KEY}",
        passphrase: "${KEY_PASS}",
        servername: "receiver.test",
      },
      undefined,
      env,
    );
    expect(tls).toEqual({
      ca: [TEST_CA_CERT],
      cert: CLIENT_CERT,
      key: CLIENT_KEY_ENCRYPTED,
      passphrase: TEST_CLIENT_PASSPHRASE,
      servername: "receiver.test",
    });
    expect(Object.isFrozen(tls)).toBe(true);
    expect(Object.isFrozen(tls!.ca)).toBe(true);
    const traditional = {
      cert: CLIENT_CERT,
      key: CLIENT_KEY_TRADITIONAL_ENCRYPTED,
      passphrase: TEST_CLIENT_PASSPHRASE,
    };
    expect(resolveTls(traditional)!.key).toBe(CLIENT_KEY_TRADITIONAL_ENCRYPTED);
    expect(resolveTls({ cert: CLIENT_CERT, key: CLIENT_KEY })!.cert).toBe(CLIENT_CERT);
  });

  it.each<[string, EndpointTlsConfig, RegExp]>([
    [
      "a CA that is not PEM",
      { ca: "not a certificate" },
      /endpoint "mtls" tls\.ca: expected PEM certificates.*without a PEM block/,
    ],
    ["a key given as the CA", { ca: CLIENT_KEY }, /tls\.ca: expected PEM certificates.*"PRIVATE KEY" block/],
    [
      "a second CA that is broken",
      { ca: [TEST_CA_CERT, TEST_CA_CERT.replace(bodyOf(TEST_CA_CERT), "A".repeat(64))] },
      /tls\.ca\[1\]: expected PEM certificates.*does not parse/,
    ],
    [
      "a certificate that is not PEM",
      { cert: "cert", key: CLIENT_KEY },
      /tls\.cert: expected PEM certificates/,
    ],
    [
      "a certificate given as the key",
      { cert: CLIENT_CERT, key: CLIENT_CERT },
      /tls\.key: expected one PEM private key.*CERTIFICATE/,
    ],
    [
      "an encrypted PKCS#8 key without passphrase",
      { cert: CLIENT_CERT, key: CLIENT_KEY_ENCRYPTED },
      /tls\.passphrase: expected the passphrase of tls\.key, which is encrypted/,
    ],
    [
      "an encrypted traditional key without passphrase",
      { cert: CLIENT_CERT, key: CLIENT_KEY_TRADITIONAL_ENCRYPTED },
      /tls\.passphrase: expected the passphrase of tls\.key/,
    ],
    [
      "a wrong passphrase",
      { cert: CLIENT_CERT, key: CLIENT_KEY_ENCRYPTED, passphrase: "wrong-passphrase-5d1" },
      /tls\.passphrase: expected the passphrase that decrypts tls\.key/,
    ],
    [
      "a key that belongs to another certificate",
      { cert: CLIENT_CERT, key: UNRELATED_KEY },
      /endpoint "mtls" tls\.key: expected the private key of tls\.cert/,
    ],
    [
      "a passphrase without key",
      { ca: TEST_CA_CERT, passphrase: "p" },
      /tls\.passphrase: expected a passphrase only together/,
    ],
    [
      "an IP address as servername",
      { servername: "127.0.0.1" },
      /tls\.servername: expected a host name.*"127\.0\.0\.1"/,
    ],
    [
      "a servername with a space",
      { servername: "bad name.test" },
      /tls\.servername: expected a host name.*"bad name\.test"/,
    ],
    ["a servername with an empty label", { servername: "a..test" }, /tls\.servername/],
  ])("refuses %s, naming the endpoint and the field", (_what, tls, pattern) => {
    expect(errorMessageOf(() => resolveTls(tls))).toMatch(pattern);
  });

  it("refuses tls on an http: URL", () => {
    expect(errorMessageOf(() => resolveTls({ ca: TEST_CA_CERT }, "http://plain.example.com/hooks"))).toMatch(
      /endpoint "mtls" tls: expected an https: URL/,
    );
  });

  it("never quotes a key, a passphrase or a certificate in its messages", () => {
    const passphrase = "wrong-passphrase-5d1";
    const messages = [
      errorMessageOf(() => resolveTls({ cert: CLIENT_CERT, key: CLIENT_KEY_ENCRYPTED, passphrase })),
      errorMessageOf(() => resolveTls({ cert: CLIENT_CERT, key: UNRELATED_KEY })),
      errorMessageOf(() => resolveTls({ cert: CLIENT_CERT, key: CLIENT_CERT })),
      errorMessageOf(() => resolveTls({ ca: CLIENT_KEY })),
      errorMessageOf(() => resolveTls({ cert: CLIENT_CERT, key: CLIENT_KEY_TRADITIONAL_ENCRYPTED })),
    ];
    for (const message of messages) {
      expect(message).not.toContain(passphrase);
      expect(message).not.toContain("-----END");
      for (const pem of [CLIENT_CERT, CLIENT_KEY, UNRELATED_KEY, CLIENT_KEY_ENCRYPTED]) {
        expect(message).not.toContain(bodyOf(pem));
      }
    }
  });
});
