import {
  type DeliveryRequest,
  decodeSecret,
  generateSecret,
  isHooklineError,
  signatureHeaders,
  verify,
} from "@hookline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, type SeenRequest, startReceiver } from "./__fixtures__/fault-receiver.js";
import { LOOPBACK_ALLOW, noAbort } from "./__fixtures__/requests.js";
import { httpTransport } from "./http-transport.js";

const secret = generateSecret();
const rotated = generateSecret();
const key = (s: string) => decodeSecret(s) as Uint8Array;
// Multi-byte characters make any re-encoding of the body break the signature.
const body = JSON.stringify({ buyerId: "b-1", buyerName: "Zoë 😀", topUpAmount: 100 });

let rx: Receiver;
const transport = httpTransport({ ssrf: LOOPBACK_ALLOW });

beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await transport.close?.();
  await rx.close();
});

/** What core does for each attempt: sign with a fresh timestamp, hand over the headers. */
function signedRequest(attempt: number, timestampSec: number, keys: Uint8Array[]): DeliveryRequest {
  return {
    deliveryId: "dlv_sig",
    eventId: "evt_sig",
    eventCode: "add_credits",
    endpointId: "ep-sig",
    attempt,
    url: `${rx.url}/status/200`,
    body,
    headers: {
      "content-type": "application/json",
      ...signatureHeaders({ id: "evt_sig", timestampSec, body, keys }),
    },
  };
}

async function deliver(req: DeliveryRequest): Promise<SeenRequest> {
  const before = rx.requests.length;
  expect((await transport.send(req, noAbort())).kind).toBe("success");
  return rx.requests[before]!;
}

describe("signatures survive the wire", () => {
  it("the receiver verifies the first attempt with core's verify()", async () => {
    const now = Math.floor(Date.now() / 1000);
    const seen = await deliver(signedRequest(1, now, [key(secret)]));
    const ok = verify({ body: seen.body, headers: seen.headers, secret, now: new Date(now * 1000) });
    expect(ok.id).toBe("evt_sig");
    expect(ok.payload).toEqual(JSON.parse(body));
  });

  it("a retry minutes later carries a fresh timestamp that verifies then, while the old one would not", async () => {
    const first = Math.floor(Date.now() / 1000);
    const later = first + 10 * 60;
    const seen1 = await deliver(signedRequest(1, first, [key(secret)]));
    const seen2 = await deliver(signedRequest(2, later, [key(secret)]));
    const atRetry = new Date(later * 1000);

    expect(seen2.headers["webhook-id"]).toBe(seen1.headers["webhook-id"]);
    expect(seen2.headers["webhook-timestamp"]).toBe(String(later));
    expect(verify({ body: seen2.body, headers: seen2.headers, secret, now: atRetry }).id).toBe("evt_sig");

    let stale: unknown;
    try {
      verify({ body: seen1.body, headers: seen1.headers, secret, now: atRetry });
    } catch (err) {
      stale = err;
    }
    expect(isHooklineError(stale, "HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE")).toBe(true);
  });

  it("during rotation either secret verifies", async () => {
    const now = Math.floor(Date.now() / 1000);
    const seen = await deliver(signedRequest(1, now, [key(secret), key(rotated)]));
    for (const s of [secret, rotated]) {
      expect(
        verify({ body: seen.body, headers: seen.headers, secret: s, now: new Date(now * 1000) }).id,
      ).toBe("evt_sig");
    }
  });

  it("a different secret is refused, so the check above can fail", async () => {
    const now = Math.floor(Date.now() / 1000);
    const seen = await deliver(signedRequest(1, now, [key(secret)]));
    expect(() =>
      verify({ body: seen.body, headers: seen.headers, secret: generateSecret(), now: new Date(now * 1000) }),
    ).toThrow(/HOOKLINE_SIGNATURE_INVALID/);
  });
});
