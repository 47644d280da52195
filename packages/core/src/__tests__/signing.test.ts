import { describe, expect, it } from "vitest";
import { isHooklineError } from "../errors/hookline-error.js";
import { decodeSecret, generateSecret } from "../signing/secret.js";
import { computeSignature, signatureHeaders } from "../signing/sign.js";
import { verify } from "../signing/verify.js";

// The Standard Webhooks specification's published example.
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  ts: 1614265330,
  body: '{"test": 2432232314}',
  sig: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const key = (s: string) => decodeSecret(s) as Uint8Array;
const at = (sec: number) => new Date(sec * 1000);

describe("signing", () => {
  it("matches the Standard Webhooks reference vector", () => {
    expect(`v1,${computeSignature(key(SPEC.secret), SPEC.id, SPEC.ts, SPEC.body)}`).toBe(SPEC.sig);
    const headers = {
      "webhook-id": SPEC.id,
      "webhook-timestamp": String(SPEC.ts),
      "webhook-signature": SPEC.sig,
    };
    expect(verify({ body: SPEC.body, headers, secret: SPEC.secret, now: at(SPEC.ts) }).payload).toEqual({
      test: 2432232314,
    });
  });

  it("signs once per active secret and any of them verifies (rotation)", () => {
    const [oldS, newS] = [generateSecret(), generateSecret()];
    const h = signatureHeaders({ id: "evt_1", timestampSec: 1000, body: "{}", keys: [key(newS), key(oldS)] });
    expect(h["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const s of [oldS, newS])
      expect(verify({ body: "{}", headers: { ...h }, secret: s, now: at(1000) }).id).toBe("evt_1");
    expect(
      verify({ body: "{}", headers: { ...h }, secret: [generateSecret(), oldS], now: at(1000) }).id,
    ).toBe("evt_1");
  });

  it("omits webhook-signature when the endpoint has no secret", () => {
    expect(signatureHeaders({ id: "evt_1", timestampSec: 1, body: "{}", keys: [] })).toEqual({
      "webhook-id": "evt_1",
      "webhook-timestamp": "1",
    });
  });

  it("rejects a tampered body, a wrong secret, a stale or future timestamp and missing headers", () => {
    const s = generateSecret();
    const h = signatureHeaders({ id: "evt_9", timestampSec: 5000, body: '{"a":1}', keys: [key(s)] });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isHooklineError(e) ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => verify({ body: '{"a":2}', headers: { ...h }, secret: s, now: at(5000) }))).toBe(
      "HOOKLINE_SIGNATURE_INVALID",
    );
    expect(
      code(() => verify({ body: '{"a":1}', headers: { ...h }, secret: generateSecret(), now: at(5000) })),
    ).toBe("HOOKLINE_SIGNATURE_INVALID");
    expect(code(() => verify({ body: '{"a":1}', headers: { ...h }, secret: s, now: at(5000 + 301) }))).toBe(
      "HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE",
    );
    expect(code(() => verify({ body: '{"a":1}', headers: { ...h }, secret: s, now: at(5000 - 301) }))).toBe(
      "HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE",
    );
    expect(code(() => verify({ body: '{"a":1}', headers: { ...h }, secret: s, now: at(5300) }))).toBe("none");
    const { "webhook-signature": _s, ...unsigned } = h;
    expect(code(() => verify({ body: '{"a":1}', headers: unsigned, secret: s, now: at(5000) }))).toBe(
      "HOOKLINE_SIGNATURE_MISSING",
    );
    const fetchHeaders = new Headers({ ...h } as unknown as Record<string, string>);
    expect(
      verify({ body: new TextEncoder().encode('{"a":1}'), headers: fetchHeaders, secret: s, now: at(5000) })
        .id,
    ).toBe("evt_9");
  });

  it("verifies raw bytes exactly and finds headers whatever their case", () => {
    const s = generateSecret();
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0x7d]); // {"a":<invalid UTF-8>}
    const sig = `v1,${computeSignature(key(s), "evt_b", 7000, bytes)}`;
    const upper = { "Webhook-Id": "evt_b", "Webhook-Timestamp": "7000", "Webhook-Signature": sig };
    expect(verify({ body: bytes, headers: upper, secret: s, now: at(7000) }).id).toBe("evt_b");
    const replaced = new TextEncoder().encode(new TextDecoder().decode(bytes)); // 0xff -> U+FFFD
    expect(() => verify({ body: replaced, headers: upper, secret: s, now: at(7000) })).toThrow(
      /SIGNATURE_INVALID/,
    );
  });

  it("validates secret form and length", () => {
    expect(decodeSecret("nope")).toMatch(/whsec_/);
    expect(decodeSecret("whsec_!!!!")).toMatch(/base64/);
    expect(decodeSecret(`whsec_${Buffer.alloc(8).toString("base64")}`)).toMatch(/24–64/);
    expect(decodeSecret(`whsec_${Buffer.alloc(65).toString("base64")}`)).toMatch(/24–64/);
    expect(decodeSecret(generateSecret())).toBeInstanceOf(Uint8Array);
  });
});
