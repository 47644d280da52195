import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { createSecureContext } from "node:tls";
import type { EndpointTls } from "../contracts/transport.js";
import { HooklineError } from "../errors/hookline-error.js";

// One PEM block: its label, and whether the block's headers mark it encrypted (traditional format).
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const KEY_LABELS = new Set(["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

interface PemBlock {
  readonly label: string;
  readonly text: string;
  readonly encrypted: boolean;
}

function pemBlocks(pem: string): PemBlock[] {
  return [...pem.matchAll(PEM_BLOCK)].map((m) => ({
    label: m[1]!,
    text: m[0],
    encrypted: m[1] === "ENCRYPTED PRIVATE KEY" || /^Proc-Type:\s*4,ENCRYPTED/m.test(m[2]!),
  }));
}

// The messages describe the material, never quote it: keys and passphrases are secrets, and
// certificates are long enough to bury the point of the message.
function invalid(where: string, expected: string, cause?: unknown): HooklineError {
  return new HooklineError(
    "HOOKLINE_INVALID_CONFIG",
    `${where}: expected ${expected}`,
    cause === undefined ? undefined : { cause },
  );
}

function checkCertificates(pem: string, where: string): void {
  const blocks = pemBlocks(pem);
  const expected = "PEM certificates (-----BEGIN CERTIFICATE-----)";
  if (blocks.length === 0) throw invalid(where, `${expected}, got text without a PEM block`);
  for (const [i, block] of blocks.entries()) {
    if (block.label !== "CERTIFICATE") {
      throw invalid(where, `${expected}, got a "${block.label}" block`);
    }
    try {
      new X509Certificate(block.text);
    } catch (cause) {
      throw invalid(where, `${expected}, got a block that does not parse (block ${i + 1})`, cause);
    }
  }
}

function checkServername(name: string, where: string): void {
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  if (isIP(name) !== 0) {
    throw invalid(where, `a host name (SNI carries no IP addresses), got ${shown}`);
  }
  if (name.length > 253 || !name.split(".").every((label) => HOST_LABEL.test(label))) {
    throw invalid(where, `a host name such as "receiver.internal", got ${shown}`);
  }
}

/**
 * Check an endpoint's TLS material the way the transport will use it, so a typo in a PEM, a key
 * that belongs to another certificate or a wrong passphrase stops construction instead of failing
 * every attempt. `at` names the endpoint's field in messages.
 */
export function checkTlsMaterial(tls: EndpointTls, url: string, at: (field: string) => string): void {
  if (!url.startsWith("https:")) {
    throw invalid(at("tls"), "an https: URL for TLS settings (they would be ignored on http:)");
  }
  for (const [i, pem] of (tls.ca ?? []).entries()) {
    checkCertificates(pem, at(tls.ca!.length > 1 ? `tls.ca[${i}]` : "tls.ca"));
  }
  if (tls.cert !== undefined) checkCertificates(tls.cert, at("tls.cert"));
  let encrypted = false;
  if (tls.key !== undefined) {
    const blocks = pemBlocks(tls.key);
    const expected = "one PEM private key (-----BEGIN PRIVATE KEY-----)";
    if (blocks.length !== 1 || !KEY_LABELS.has(blocks[0]!.label)) {
      const got =
        blocks.length === 0
          ? "text without a PEM block"
          : `${blocks.length} block(s): ${blocks.map((b) => b.label).join(", ")}`;
      throw invalid(at("tls.key"), `${expected}, got ${got}`);
    }
    encrypted = blocks[0]!.encrypted;
  }
  if (tls.passphrase !== undefined && tls.key === undefined) {
    throw invalid(at("tls.passphrase"), "a passphrase only together with an encrypted tls.key");
  }
  if (encrypted && tls.passphrase === undefined) {
    throw invalid(at("tls.passphrase"), "the passphrase of tls.key, which is encrypted");
  }
  if (tls.servername !== undefined) checkServername(tls.servername, at("tls.servername"));
  try {
    createSecureContext({
      ...(tls.ca === undefined ? {} : { ca: [...tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
      ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    });
  } catch (cause) {
    const text = `${(cause as { code?: unknown }).code ?? ""} ${(cause as Error)?.message ?? ""}`;
    if (/BAD_DECRYPT|bad decrypt/i.test(text)) {
      throw invalid(at("tls.passphrase"), "the passphrase that decrypts tls.key (this one does not)", cause);
    }
    if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(text)) {
      throw invalid(
        at("tls.key"),
        "the private key of tls.cert (this key belongs to another certificate)",
        cause,
      );
    }
    // OpenSSL names the failing check, never the material.
    throw invalid(
      at("tls"),
      `material OpenSSL accepts, got: ${(cause as Error)?.message ?? String(cause)}`,
      cause,
    );
  }
}
